#!/usr/bin/env node
// Fails when src/api/schema.d.ts is not what ../openapi/openapi.json generates:
// run `make client` and commit the result.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const committed = "src/api/schema.d.ts";
const dir = mkdtempSync(join(tmpdir(), "vidvault-client-"));
const fresh = join(dir, "schema.d.ts");
try {
  execFileSync("node_modules/.bin/openapi-typescript", ["../openapi/openapi.json", "-o", fresh], { stdio: "pipe" });
  if (readFileSync(fresh, "utf8") !== readFileSync(committed, "utf8")) {
    console.error(`${committed} is stale: the API contract changed. Run \`make client\` and commit the result.`);
    process.exit(1);
  }
  console.log(`${committed} is up to date with ../openapi/openapi.json`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
