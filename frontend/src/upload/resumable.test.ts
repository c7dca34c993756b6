import { afterEach, describe, expect, it, vi } from "vitest";
import type { HttpRequest, HttpResponse, HttpStack } from "tus-js-client";
import { ApiError, NETWORK_DOWN, SESSION_EXPIRED } from "../api/errors";
import { SessionStore } from "../auth/session";
import type { UploadProgress } from "./progress";
import { ResumableUpload, uploadIdOf, type Connection, type Network } from "./resumable";
import { AccountUrlStorage } from "./urlStorage";

const BASE = "http://api.test";
const UPLOAD_ID = "65f000000000000000000001";

interface Stored {
  length: number;
  offset: number;
  owner: string;
  metadata: string;
}

interface Sent {
  method: string;
  url: string;
  headers: Record<string, string>;
  bytes: number;
}

/**
 * A tus 1.0 server in memory behind tus-js-client's HTTP stack: what the
 * real one answers to POST, HEAD, PATCH and DELETE, with a way to fail or
 * hold requests.
 */
class FakeTusServer implements HttpStack {
  uploads = new Map<string, Stored>();
  sent: Sent[] = [];
  /** Answers instead of the server's, in order, for requests of a method. */
  failures: { method: string; status: number; body?: unknown }[] = [];
  /** Drops the connection of the next PATCH after this many of its bytes are stored. */
  cutPatchAfter: number | null = null;
  private held: (() => void)[] = [];
  holdPatches = false;
  /** The next PATCH never answers (a connection dead without the browser knowing); nothing of it is stored. */
  hangNextPatch = false;
  aborts = 0;
  private nextId = 1;

  getName() {
    return "fake";
  }

  createRequest(method: string, url: string): HttpRequest {
    const headers: Record<string, string> = {};
    let onProgress: (sent: number) => void = () => undefined;
    let aborted = false;
    const request: HttpRequest = {
      getMethod: () => method,
      getURL: () => url,
      setHeader: (name, value) => {
        headers[name] = value;
      },
      getHeader: (name) => headers[name],
      setProgressHandler: (handler) => {
        onProgress = handler;
      },
      send: async (body: unknown) => {
        const bytes = body instanceof Blob ? body.size : 0;
        this.sent.push({ method, url, headers: { ...headers }, bytes });
        if (method === "PATCH" && this.hangNextPatch) {
          this.hangNextPatch = false;
          return new Promise<HttpResponse>(() => undefined);
        }
        if (method === "PATCH" && this.holdPatches) await new Promise<void>((release) => this.held.push(release));
        const answer = this.answer(method, url, headers, bytes, onProgress);
        // An aborted XMLHttpRequest never settles for tus-js-client (the server may still have stored the bytes).
        return aborted ? new Promise<HttpResponse>(() => undefined) : answer;
      },
      abort: () => {
        aborted = true;
        this.aborts += 1;
        return Promise.resolve();
      },
      getUnderlyingObject: () => null,
    };
    return request;
  }

  /** Lets the held PATCH requests through; later ones are held too while `holdPatches` is set. */
  releaseHeld() {
    for (const release of this.held.splice(0)) release();
  }

  releasePatches() {
    this.holdPatches = false;
    this.releaseHeld();
  }

  patches(): Sent[] {
    return this.sent.filter((request) => request.method === "PATCH");
  }

  private answer(method: string, url: string, headers: Record<string, string>, bytes: number, onProgress: (sent: number) => void): HttpResponse {
    const index = this.failures.findIndex((candidate) => candidate.method === method);
    const failure = index >= 0 ? this.failures.splice(index, 1)[0] : undefined;
    if (failure) {
      if (failure.status === 0) throw new Error("network down");
      return response(failure.status, failure.body);
    }
    const owner = headers.Authorization ?? "";
    if (!owner) return response(401, { detail: "Not authenticated" });
    if (method === "POST") {
      const id = `${UPLOAD_ID.slice(0, -1)}${this.nextId++}`;
      this.uploads.set(id, { length: Number(headers["Upload-Length"]), offset: 0, owner, metadata: headers["Upload-Metadata"] ?? "" });
      return response(201, null, { Location: `/api/v1/uploads/${id}` });
    }
    const id = url.split("/").at(-1) ?? "";
    const upload = this.uploads.get(id);
    if (!upload || upload.owner !== owner) return response(404, { detail: "Upload not found" });
    if (method === "HEAD") return response(200, null, { "Upload-Offset": String(upload.offset), "Upload-Length": String(upload.length) });
    if (method === "DELETE") {
      this.uploads.delete(id);
      return response(204, null);
    }
    if (Number(headers["Upload-Offset"]) !== upload.offset) return response(409, { detail: "Upload-Offset does not match" });
    if (this.cutPatchAfter !== null) {
      upload.offset += Math.min(bytes, this.cutPatchAfter);
      this.cutPatchAfter = null;
      throw new Error("connection reset");
    }
    onProgress(bytes);
    upload.offset += bytes;
    return response(204, null, { "Upload-Offset": String(upload.offset) });
  }
}

function response(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    getStatus: () => status,
    getHeader: (name) => headers[name],
    getBody: () => (body === null || body === undefined ? "" : JSON.stringify(body)),
    getUnderlyingObject: () => null,
  };
}

class FakeNetwork implements Network {
  online = true;
  private listeners = new Set<() => void>();
  isOnline() {
    return this.online;
  }
  onChange(listener: () => void) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  set(online: boolean) {
    this.online = online;
    for (const listener of this.listeners) listener();
  }
}

const CHUNK = 1000;
const video = (size: number, name = "holiday.webm") => new File([new Uint8Array(size)], name, { type: "video/webm", lastModified: 7 });

function setup({
  account = "me@example.com",
  file = video(3500),
  server = new FakeTusServer(),
  network = new FakeNetwork(),
  stallMs = 30_000,
} = {}) {
  const sessions = new SessionStore(sessionStorage);
  sessions.start(`token-of-${account}`, account, 3600);
  const progress: UploadProgress[] = [];
  const connections: Connection[] = [];
  const upload = new ResumableUpload({
    baseUrl: BASE,
    sessions,
    account,
    file,
    title: "  Holiday  ",
    chunkSize: CHUNK,
    onProgress: (value) => progress.push(value),
    onConnection: (value) => connections.push(value),
    network,
    urlStorage: new AccountUrlStorage(localStorage),
    httpStack: server,
    stallMs,
    retryDelays: [0, 0, 0],
  });
  return { upload, server, network, sessions, progress, connections };
}

/** Lets tus-js-client's promise chains run (no timers are faked). */
const settle = () => new Promise((resume) => setTimeout(resume, 20));

/** An upload started with its first PATCH held in flight. */
async function startHeld(options: Parameters<typeof setup>[0] = {}) {
  const started = setup(options);
  started.server.holdPatches = true;
  void started.upload.start();
  await settle();
  return started;
}

afterEach(() => {
  localStorage.clear();
  sessionStorage.clear();
});

describe("ResumableUpload", () => {
  it("creates the upload with the token and metadata, sends it in chunks and resolves with the video id", async () => {
    const { upload, server, progress } = setup();
    void upload.start();
    const videoId = await upload.done;
    expect(server.sent[0]).toMatchObject({ method: "POST", url: `${BASE}/api/v1/uploads` });
    expect(server.sent[0]?.headers).toMatchObject({ Authorization: "Bearer token-of-me@example.com", "Upload-Length": "3500" });
    expect(atob(server.sent[0]?.headers["Upload-Metadata"]?.split(",")[1]?.split(" ")[1] ?? "")).toBe("Holiday");
    expect(server.patches().map((patch) => [patch.headers["Upload-Offset"], patch.bytes])).toEqual([
      ["0", 1000],
      ["1000", 1000],
      ["2000", 1000],
      ["3000", 500],
    ]);
    expect(server.patches().every((patch) => patch.headers.Authorization === "Bearer token-of-me@example.com")).toBe(true);
    expect(videoId).toBe(uploadIdOf(`${BASE}/api/v1/uploads/${[...server.uploads.keys()][0] ?? ""}`));
    expect(progress.at(-1)).toMatchObject({ loaded: 3500, total: 3500, percent: 100 });
    // Finished: nothing is left to resume from.
    expect(localStorage.length).toBe(0);
  });

  it("pauses between requests and resumes from the offset the server has", async () => {
    const { upload, server } = setup();
    server.holdPatches = true;
    void upload.start();
    await settle();
    expect(server.patches()).toHaveLength(1);
    upload.pause();
    server.releasePatches();
    await settle();
    // The request in flight was stopped: nothing more goes out while paused.
    expect(server.patches()).toHaveLength(1);
    upload.resume();
    await upload.done;
    // The server stored the bytes of the request cut by the pause: HEAD says so, and they are not sent again.
    expect(server.sent.map((request) => request.method)).toEqual(["POST", "PATCH", "HEAD", "PATCH", "PATCH", "PATCH"]);
    expect(server.patches().map((patch) => patch.headers["Upload-Offset"])).toEqual(["0", "1000", "2000", "3000"]);
  });

  it("retries a dropped connection from where the server stopped, without sending stored bytes again", async () => {
    const { upload, server, connections } = setup();
    server.cutPatchAfter = 400;
    void upload.start();
    await upload.done;
    expect(connections).toContain("retrying");
    expect(server.patches().map((patch) => [patch.headers["Upload-Offset"], patch.bytes])).toEqual([
      ["0", 1000],
      ["400", 1000],
      ["1400", 1000],
      ["2400", 1000],
      ["3400", 100],
    ]);
  });

  it("gives up a request that stops moving (a dead connection the browser has not noticed) and resumes", async () => {
    const server = new FakeTusServer();
    server.hangNextPatch = true;
    const { upload, connections } = setup({ server, stallMs: 50 });
    void upload.start();
    await upload.done;
    expect(server.aborts).toBe(1);
    expect(connections).toContain("retrying");
    expect(server.sent.map((request) => request.method)).toEqual(["POST", "PATCH", "HEAD", "PATCH", "PATCH", "PATCH", "PATCH"]);
    expect([...server.uploads.values()][0]?.offset).toBe(3500);
  });

  it("waits while the browser is offline and goes on when it is back", async () => {
    const network = new FakeNetwork();
    const { upload, server, connections } = setup({ network });
    server.holdPatches = true;
    void upload.start();
    await settle();
    network.set(false);
    server.releasePatches();
    await settle();
    expect(connections.at(-1)).toBe("offline");
    const sentWhileOffline = server.sent.length;
    await settle();
    expect(server.sent).toHaveLength(sentWhileOffline);
    network.set(true);
    await upload.done;
    expect(server.sent[sentWhileOffline]?.method).toBe("HEAD");
    expect([...server.uploads.values()][0]?.offset).toBe(3500);
  });

  it("after a reload, the same file by the same account continues from the stored offset", async () => {
    const first = await startHeld();
    const { server } = first;
    server.releaseHeld();
    await settle();
    first.upload.pause(); // the page goes away mid-upload
    server.releasePatches(); // the request cut short still stored its bytes
    await settle();
    const offset = [...server.uploads.values()][0]?.offset ?? 0;
    expect(offset).toBeGreaterThan(0);
    expect(localStorage.length).toBe(1);

    const again = setup({ server });
    server.sent = [];
    void again.upload.start();
    await again.upload.done;
    expect(first.upload.resumedEarlierUpload).toBe(false);
    expect(again.upload.resumedEarlierUpload).toBe(true);
    expect(server.sent[0]?.method).toBe("HEAD");
    expect(server.patches()[0]?.headers["Upload-Offset"]).toBe(String(offset));
    expect(server.patches().reduce((sum, patch) => sum + patch.bytes, 0)).toBe(3500 - offset);
    expect(server.uploads.size).toBe(1);
  });

  it("never offers one account's unfinished upload to another, nor stores names", async () => {
    const mine = await startHeld();
    const { server } = mine;
    mine.upload.pause();
    expect(localStorage.length).toBe(1);
    const stored = Object.keys(localStorage).map((key) => `${key}=${localStorage.getItem(key) ?? ""}`).join("\n");
    expect(stored).not.toMatch(/holiday|example\.com|Holiday/);

    const theirs = setup({ server, account: "someone@example.com" });
    server.sent = [];
    server.releasePatches();
    void theirs.upload.start();
    await theirs.upload.done;
    expect(server.sent[0]?.method).toBe("POST");
    expect(server.uploads.size).toBe(2);
  });

  it("cancelling deletes the upload on the server and forgets it here", async () => {
    const { upload, server } = setup();
    server.holdPatches = true;
    void upload.start();
    await settle();
    const cancelled = upload.cancel();
    await expect(upload.done).rejects.toMatchObject({ name: "AbortError" });
    await cancelled;
    expect(server.sent.at(-1)?.method).toBe("DELETE");
    expect(server.uploads.size).toBe(0);
    expect(localStorage.length).toBe(0);
  });

  it.each([
    [413, { detail: "The upload is larger than the limit of 3000000 bytes" }, "POST", "This file is too large to upload. The limit is 3.00 MB."],
    [415, { detail: "The file is not a supported video container" }, "PATCH", /not a video Vidvault can store/],
    [422, { detail: "The title is too long: at most 200 characters" }, "POST", "Please check your input. The title is too long: at most 200 characters"],
  ])("shows the server's refusal %i in words and keeps nothing to resume", async (status, body, method, message) => {
    const { upload, server } = setup();
    server.failures.push({ method, status, body });
    void upload.start();
    const error = await upload.done.catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(status);
    expect((error as ApiError).message).toMatch(message);
    expect(localStorage.length).toBe(0);
  });

  it("asks the server again on 409 and still shows its message once retries run out", async () => {
    const { upload, server } = setup();
    for (let count = 0; count < 4; count++) server.failures.push({ method: "PATCH", status: 409, body: { detail: "Upload-Offset does not match the bytes stored" } });
    void upload.start();
    const error = (await upload.done.catch((failure: unknown) => failure)) as ApiError;
    expect(server.sent.filter((request) => request.method === "HEAD")).toHaveLength(3);
    expect(error.message).toMatch("Upload-Offset does not match the bytes stored");
  });

  it("says the network is down once retries run out, and keeps the upload to resume", async () => {
    const { upload, server } = setup();
    server.holdPatches = true;
    void upload.start();
    await settle();
    for (let count = 0; count < 4; count++) server.failures.push({ method: "HEAD", status: 0 });
    server.failures.push({ method: "PATCH", status: 0 });
    server.releasePatches();
    await expect(upload.done).rejects.toThrow(NETWORK_DOWN);
    expect(localStorage.length).toBe(1);
  });

  it("a 401 mid-upload ends the session like any API call, and keeps the upload to resume after logging in", async () => {
    const { upload, server, sessions } = setup();
    const ended = vi.fn();
    sessions.subscribe(ended);
    server.failures.push({ method: "PATCH", status: 401, body: { detail: "Not authenticated" } });
    void upload.start();
    await expect(upload.done).rejects.toThrow(SESSION_EXPIRED);
    expect(sessions.get()).toBeNull();
    expect(sessions.endReason()).toBe("expired");
    expect(ended).toHaveBeenCalled();
    expect(server.patches()).toHaveLength(1);
    expect(localStorage.length).toBe(1);
  });
});
