#!/usr/bin/env bash
# Installs (from Debian packages) and starts what the full test suite needs: PostgreSQL, Redis, Chromium,
# CJK fonts and Node.js (for the mini-program journeys). Idempotent; run as root (CI and the dev machines are). Prints the env vars the tests read.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
# Only the env vars go to stdout (callers eval it); everything the tools print goes to stderr.
exec 3>&1 1>&2
# Daemons must not inherit fd 3 (or our stdout/stderr): a caller's "$(...)" waits until every holder of its pipe
# closes it, so a server started with it open hangs the caller forever. Their chatter goes to a log file.
log=/tmp/ebranch-services.log
daemon() { "$@" </dev/null >>"$log" 2>&1 3>&- || { tail -20 "$log" >&2; return 1; }; }

need=()
command -v redis-server >/dev/null || need+=(redis-server)
command -v pg_ctlcluster >/dev/null || need+=(postgresql)
command -v chromium >/dev/null || need+=(chromium)
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need+=(fonts-wqy-microhei)
# The mini-program journeys run on Node (part of the suite, never skipped).
command -v node >/dev/null && command -v npm >/dev/null || need+=(nodejs npm)
command -v wrk >/dev/null || [ "${EBRANCH_NEED_WRK:-0}" = 0 ] || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  echo "services: installing ${need[*]}" >&2
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 || daemon redis-server --daemonize yes --bind 127.0.0.1 --port 6379 \
  --save '' --appendonly no --pidfile /tmp/redis-6379.pid --logfile /tmp/redis-6379.log

PGVER=$(ls /usr/lib/postgresql | sort -V | tail -1)
pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$PGVER main" || pg_createcluster "$PGVER" main >/dev/null
pg_isready -q -h 127.0.0.1 || daemon pg_ctlcluster "$PGVER" main start
for _ in $(seq 100); do pg_isready -q -h 127.0.0.1 && break; sleep 0.2; done
pg_isready -q -h 127.0.0.1 || { echo "services: PostgreSQL did not start" >&2; exit 1; }
for _ in $(seq 50); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.1; done

# The suites start many hosts at once (xunit runs test classes in parallel; a cluster test runs four hosts), each
# with its own pool: the default 100 connections is too few.
if [ "$(runuser -u postgres -- psql -qtAc 'SHOW max_connections')" -lt 500 ]; then
  runuser -u postgres -- psql -qc "ALTER SYSTEM SET max_connections = 500"
  daemon pg_ctlcluster "$PGVER" main restart
  for _ in $(seq 100); do pg_isready -q -h 127.0.0.1 && break; sleep 0.2; done
fi

runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname='ebranch'" | grep -q 1 \
  || runuser -u postgres -- psql -qc "CREATE ROLE ebranch LOGIN SUPERUSER PASSWORD 'ebranch'"
runuser -u postgres -- psql -qtAc "SELECT 1 FROM pg_database WHERE datname='ebranch'" | grep -q 1 \
  || runuser -u postgres -- psql -qc "CREATE DATABASE ebranch OWNER ebranch"

echo >&3 "EBRANCH_TEST_POSTGRES='Host=127.0.0.1;Port=5432;Username=ebranch;Password=ebranch;Database=postgres'"
echo >&3 "EBRANCH_TEST_REDIS='127.0.0.1:6379'"
