#!/usr/bin/env node
// Writes the runtime settings file the app loads before itself:
//   node scripts/write-config.mjs <dir> <api-url>
// UPLOAD_CHUNK_BYTES in the environment sets the bytes per resumable upload request.
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const [dir, apiUrl] = process.argv.slice(2);
if (!dir || !apiUrl) {
  console.error("usage: write-config.mjs <dir> <api-url>");
  process.exit(2);
}
let parsed;
try {
  parsed = new URL(apiUrl);
} catch {
  parsed = null;
}
if (!parsed || !["http:", "https:"].includes(parsed.protocol)) {
  console.error(`API_URL must be an http(s) URL, got: ${apiUrl}`);
  process.exit(2);
}
const config = { apiUrl: apiUrl.replace(/\/+$/, "") };
const chunkBytes = process.env.UPLOAD_CHUNK_BYTES?.trim();
if (chunkBytes) {
  if (!/^[1-9][0-9]{0,11}$/.test(chunkBytes)) {
    console.error(`UPLOAD_CHUNK_BYTES must be a number of bytes, got: ${chunkBytes}`);
    process.exit(2);
  }
  config.uploadChunkBytes = Number(chunkBytes);
}
writeFileSync(join(dir, "config.js"), `window.VIDVAULT_CONFIG = ${JSON.stringify(config)};\n`);
