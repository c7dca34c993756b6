#!/usr/bin/env node
// A small static server for the built SPA: long-lived caching for hashed
// assets, no caching for index.html and config.js, and index.html for any
// other path so client-side routes survive a reload. Pages carry the same
// Content-Security-Policy as the image's nginx (nginx/content-security-policy),
// so the end-to-end tests run the app under it.
//   node scripts/serve.mjs [--root dist] [--host 127.0.0.1] [--port 5173] [--api-url URL]
import { createReadStream, readFileSync } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer } from "node:http";
import { extname, join, normalize, resolve, sep } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    root: { type: "string", default: "dist" },
    host: { type: "string", default: process.env.WEB_HOST || "127.0.0.1" },
    port: { type: "string", default: process.env.WEB_PORT || "5173" },
    "api-url": { type: "string", default: "" },
  },
});

// The API's origin is allowed where the app needs it: fetch, <video>, <img>.
const apiOrigin = values["api-url"] ? new URL(values["api-url"]).origin : "";
const contentSecurityPolicy = readFileSync(new URL("../nginx/content-security-policy", import.meta.url), "utf8")
  .replaceAll("API_ORIGIN", apiOrigin)
  .replace(/\s+/g, " ")
  .replaceAll(" ;", ";")
  .trim();

const root = resolve(values.root);
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".webmanifest": "application/manifest+json",
  ".txt": "text/plain; charset=utf-8",
  ".woff2": "font/woff2",
};

async function fileAt(urlPath) {
  const decoded = decodeURIComponent(urlPath);
  if (decoded.includes("\0")) return null;
  const path = normalize(join(root, decoded));
  if (path !== root && !path.startsWith(root + sep)) return null;
  try {
    const info = await stat(path);
    return info.isFile() ? { path, size: info.size } : null;
  } catch {
    return null;
  }
}

function cacheControl(urlPath) {
  return urlPath.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache";
}

async function handle(request, response) {
  if (request.method !== "GET" && request.method !== "HEAD") {
    response.writeHead(405, { Allow: "GET, HEAD" }).end();
    return;
  }
  let urlPath;
  try {
    urlPath = new URL(request.url ?? "/", "http://localhost").pathname;
  } catch {
    response.writeHead(400).end();
    return;
  }
  let file = urlPath.endsWith("/") ? null : await fileAt(urlPath);
  // A path with an extension is a file that should exist; anything else is an app route.
  if (!file && extname(urlPath) && urlPath !== "/index.html") {
    response.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("Not found\n");
    return;
  }
  let servedPath = urlPath;
  if (!file) {
    file = await fileAt("/index.html");
    servedPath = "/index.html";
  }
  if (!file) {
    response.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" }).end(`No index.html in ${root}: build first\n`);
    return;
  }
  response.writeHead(200, {
    "Content-Type": TYPES[extname(file.path)] ?? "application/octet-stream",
    "Content-Length": file.size,
    "Cache-Control": cacheControl(servedPath),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    ...(servedPath.endsWith(".html") ? { "Content-Security-Policy": contentSecurityPolicy } : {}),
  });
  if (request.method === "HEAD") response.end();
  else createReadStream(file.path).pipe(response);
}

const server = createServer((request, response) => {
  handle(request, response).catch((error) => {
    console.error(error);
    if (!response.headersSent) response.writeHead(500);
    response.end();
  });
});

server.listen(Number(values.port), values.host, () => {
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : values.port;
  console.log(`Vidvault web app serving ${root} on http://${values.host}:${port}`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
