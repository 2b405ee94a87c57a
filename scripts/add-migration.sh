#!/usr/bin/env bash
# Adds a migration for both providers: scripts/add-migration.sh <Name>
set -euo pipefail
name=${1:?usage: scripts/add-migration.sh <Name>}
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
for provider in Sqlite Postgres; do
  dotnet ef migrations add "$name" --project src/Core --startup-project src/Core \
    --context "${provider}EBranchDbContext" --output-dir "Data/Migrations/$provider" \
    --namespace "EBranch.Core.Data.Migrations.$provider" $([ "$provider" = Postgres ] && echo --no-build)
  # EF writes the model snapshot under a folder named after the namespace; keep it beside the migrations.
  if [ -d src/Core/EBranch ]; then
    find src/Core/EBranch -name '*.cs' -exec mv {} "src/Core/Data/Migrations/$provider/" \;
    rm -rf src/Core/EBranch
  fi
done
