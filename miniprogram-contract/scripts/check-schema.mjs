// Fails when src/schema.d.ts is not what openapi-typescript generates from openapi.json
// (fix: `npm run generate`, or scripts/update-contract.sh at the repository root, and commit).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "ebranch-schema-"));
try {
  const fresh = join(dir, "schema.d.ts");
  execFileSync(join("node_modules", ".bin", "openapi-typescript"), ["openapi.json", "--output", fresh], { stdio: "ignore" });
  if (readFileSync(fresh, "utf8") !== readFileSync(join("src", "schema.d.ts"), "utf8")) {
    console.error("src/schema.d.ts is out of date with openapi.json: run `npm run generate` (or scripts/update-contract.sh) and commit it.");
    process.exit(1);
  }
  console.log("src/schema.d.ts matches openapi.json");
} finally {
  rmSync(dir, { recursive: true, force: true });
}
