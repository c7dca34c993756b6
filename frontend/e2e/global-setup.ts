/**
 * Starts the real stack on free ports for the end-to-end tests: the embedded
 * MongoDB (memory engine), the API, and the built web app with its own
 * config.js; stops all three by PID afterwards.
 */
import { execFileSync, spawn, type ChildProcess, type ChildProcessByStdio } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";

const FRONTEND = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ROOT = resolve(FRONTEND, "..");
const LOGS = join(FRONTEND, "test-results", "e2e-logs");
const BUILD = join(FRONTEND, ".e2e", "dist");
/** Small, so the 413 test needs no big file; the WebM fixture is far below it. */
export const E2E_MAX_UPLOAD_BYTES = 3_000_000;

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => {
        resolvePort(port);
      });
    });
  });
}

function start(name: string, command: string, args: string[], env: Record<string, string>): ChildProcessByStdio<null, Readable, Readable> {
  const log = createWriteStream(join(LOGS, `${name}.log`));
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  child.on("close", (code, signal) => {
    log.end(`\n[${name} exited: code ${String(code)}, signal ${String(signal)}]\n`);
  });
  return child;
}

async function waitFor(name: string, child: ChildProcess, ready: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited early (code ${child.exitCode}); see ${LOGS}/${name}.log`);
    if (await ready().catch(() => false)) return;
    await new Promise((resume) => setTimeout(resume, 200));
  }
  throw new Error(`${name} was not ready after ${timeoutMs / 1000}s; see ${LOGS}/${name}.log`);
}

async function answers(url: string): Promise<boolean> {
  const response = await fetch(url);
  return response.ok;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => {
      socket.destroy();
      resolveOpen(true);
    });
    socket.once("error", () => {
      resolveOpen(false);
    });
  });
}

async function stop(children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
            done();
            return;
          }
          const force = setTimeout(() => child.kill("SIGKILL"), 10_000);
          child.once("exit", () => {
            clearTimeout(force);
            done();
          });
          child.kill("SIGTERM");
        }),
    ),
  );
}

export default async function globalSetup(): Promise<() => Promise<void>> {
  rmSync(LOGS, { recursive: true, force: true });
  mkdirSync(LOGS, { recursive: true });
  const children: ChildProcess[] = [];
  const [dbPort, apiPort, webPort] = [await freePort(), await freePort(), await freePort()];
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const webUrl = `http://127.0.0.1:${webPort}`;

  try {
    // The build runs while the database and the API start.
    const db = start("db", "scripts/db.sh", [], { DB_ENGINE: "memory", DB_PORT: String(dbPort) });
    children.push(db);
    rmSync(BUILD, { recursive: true, force: true });
    execFileSync(join(FRONTEND, "node_modules/.bin/vite"), ["build", "--outDir", BUILD, "--emptyOutDir", "--logLevel", "warn"], {
      cwd: FRONTEND,
      stdio: "inherit",
    });
    execFileSync("node", ["scripts/write-config.mjs", BUILD, apiUrl], { cwd: FRONTEND, stdio: "inherit" });
    const web = start("web", "node", [join(FRONTEND, "scripts/serve.mjs"), "--root", BUILD, "--port", String(webPort), "--api-url", apiUrl], {});
    children.push(web);

    await waitFor("db", db, () => portOpen(dbPort));
    const database = {
      MONGODB_URL: `mongodb://127.0.0.1:${dbPort}/?directConnection=true`,
      MONGODB_DB: "vidvault_e2e",
      SECRET_KEY: randomBytes(36).toString("base64url"),
    };
    // One media worker, as `make run` starts: posters and durations on the library's cards.
    children.push(start("worker", "scripts/worker.sh", [], { ...database, WORKER_POLL_SECONDS: "0.3" }));
    const api = start("api", "scripts/api.sh", [], {
      ...database,
      API_PORT: String(apiPort),
      CORS_ORIGINS: webUrl,
      MAX_UPLOAD_BYTES: String(E2E_MAX_UPLOAD_BYTES),
      // Every test signs up its own accounts from 127.0.0.1: the per-address signup throttle would stop the suite.
      SIGNUP_MAX_ATTEMPTS: "100000",
    });
    children.push(api);
    await waitFor("web", web, () => answers(`${webUrl}/config.js`));
    await waitFor("api", api, () => answers(`${apiUrl}/readyz`));
  } catch (error) {
    await stop(children);
    throw error;
  }

  process.env.E2E_API_URL = apiUrl;
  process.env.E2E_WEB_URL = webUrl;
  return () => stop(children);
}
