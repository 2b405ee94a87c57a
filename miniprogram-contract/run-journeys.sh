#!/usr/bin/env bash
# Plays the mini-program journeys (miniprogram-contract/journeys/*.test.ts) with the typed client against a
# real gateway on a fresh SQLite database with the demo district, talking to the WeChat emulator. Installs
# the locked npm packages, checks the generated types and typechecks first. Prints node's TAP summary
# (# pass N / # fail N) last and exits non-zero on any failure.
#   miniprogram-contract/run-journeys.sh             builds the emulator and gateway first
#   miniprogram-contract/run-journeys.sh --no-build  when they are built already (./test)
# Logs: $JOURNEYS_OUT (default test-output/journeys).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
out=${JOURNEYS_OUT:-$root/test-output/journeys}
rm -rf "$out"; mkdir -p "$out"; out=$(cd "$out" && pwd)

fail() { echo "journeys: $*" >&2; exit 1; }
command -v node >/dev/null || fail "node is not installed"

if [ "${1:-}" != "--no-build" ]; then
  echo "== journeys: build"
  for project in src/WeChat.Emulator src/Gateway.WeChat; do
    dotnet build "$project" -nologo -clp:ErrorsOnly -v quiet > "$out/build.log" 2>&1 || { cat "$out/build.log"; fail "build failed"; }
  done
fi

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
emulator_port=$(free_port); gateway_port=$(free_port)
emulator_url="http://127.0.0.1:$emulator_port"; gateway_url="http://127.0.0.1:$gateway_port"

pids=()
stop() { for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null; done; wait 2>/dev/null; }
trap stop EXIT
start() { # start <name> <project> <url> [env...]  (own process group, so stopping it stops the app too)
  local name=$1 project=$2 url=$3; shift 3
  env "$@" setsid dotnet run --no-build --no-launch-profile --project "$project" -- --urls "$url" > "$out/$name.log" 2>&1 &
  pids+=($!)
}
wait_for() { # wait_for <name> <url> <seconds>  (the last process started)
  for _ in $(seq $(($3 * 4))); do
    curl -fsS -o /dev/null "$2" 2>/dev/null && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.25
  done
  tail -20 "$out/$1.log" >&2; fail "$1 did not start within $3 s or exited (log: $out/$1.log)"
}

echo "== journeys: emulator $emulator_url, gateway $gateway_url (fresh database)"
export ASPNETCORE_ENVIRONMENT=Development
start emulator src/WeChat.Emulator "$emulator_url" "Emulator__OutputDir=$out/emulator"
wait_for emulator "$emulator_url/_emulator/config" 60
start gateway src/Gateway.WeChat "$gateway_url" \
  "ExtraConfigFiles=$out/emulator/wechat-emulator.json" \
  "Security__PiiKey=$(head -c 32 /dev/urandom | base64)" \
  "ConnectionStrings__Sqlite=Data Source=$out/gateway.db" \
  "DataProtection__KeysFolder=$out/keys" \
  Database__SeedDemo=true \
  Gateway__AnonymousLimits__PerClient=100000 \
  "WeChat__Pay__NotifyUrl=$gateway_url/api/v1/pay/notify"

# While the gateway migrates and loads the demo district: packages from the lockfile, types, typecheck.
(
  cd "$here"
  npm ci --prefer-offline --no-audit --no-fund --loglevel=error && npm run --silent check:schema && npm run --silent typecheck
) > "$out/npm.log" 2>&1 || { cat "$out/npm.log" >&2; fail "npm ci / check:schema / typecheck failed (log: $out/npm.log)"; }
echo "== journeys: packages installed, schema.d.ts matches openapi.json, typecheck passed"
wait_for gateway "$gateway_url/health/ready" 90

cd "$here"
GATEWAY_URL=$gateway_url EMULATOR_URL=$emulator_url node --import tsx --test --test-reporter=tap --test-concurrency=1 --test-timeout=60000 \
  journeys/*.test.ts 2>&1 | tee "$out/journeys.tap"
status=${PIPESTATUS[0]}
exit "$status"
