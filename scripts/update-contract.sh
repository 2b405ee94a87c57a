#!/usr/bin/env bash
# Regenerates the mini-program contract from the gateway: miniprogram-contract/openapi.json (by running the
# contract test in write mode against the real gateway) and, when node is installed, the TypeScript types
# miniprogram-contract/src/schema.d.ts. Commit both with the API change.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
EBRANCH_UPDATE_CONTRACT=1 dotnet test tests/EBranch.Tests -nologo \
  --filter "FullyQualifiedName~EBranch.Tests.Contract.OpenApiContractTests.CommittedContract_IsTheLiveDocument"
echo "wrote miniprogram-contract/openapi.json"
if command -v npm >/dev/null; then
  cd miniprogram-contract
  [ -d node_modules ] || npm ci --prefer-offline --no-audit --no-fund
  npm run --silent generate
  echo "wrote miniprogram-contract/src/schema.d.ts"
else
  echo "node is not installed: regenerate miniprogram-contract/src/schema.d.ts with 'npm run generate' there" >&2
fi
