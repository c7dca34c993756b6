import { describe, expect, it, vi } from "vitest";
import { ApiError, NETWORK_DOWN } from "../api/errors";
import { progressOf, uploadVideo, type UploadProgress } from "./request";
import { SpeedMeter } from "./speed";

/** Just enough of XMLHttpRequest to drive the upload by hand. */
class FakeRequest {
  method = "";
  url = "";
  headers: Record<string, string> = {};
  body: FormData | null = null;
  status = 0;
  responseText = "";
  aborted = false;
  responseHeaders: Record<string, string> = {};
  upload: { onprogress: ((event: ProgressEvent) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;

  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  getResponseHeader(name: string) {
    return this.responseHeaders[name] ?? null;
  }
  send(body: FormData) {
    this.body = body;
  }
  abort() {
    this.aborted = true;
    this.onabort?.();
  }
  progress(loaded: number, total: number) {
    this.upload.onprogress?.({ loaded, total, lengthComputable: true } as ProgressEvent);
  }
  respond(status: number, body: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

const VIDEO = {
  id: "65f000000000000000000001",
  title: "Holiday",
  filename: "holiday.webm",
  content_type: "video/webm",
  size: 4,
  created_at: "2026-01-01T00:00:00Z",
  stream_url: "/api/v1/videos/65f000000000000000000001/stream?token=t",
};

function start(overrides: { signal?: AbortSignal; onUnauthorized?: () => void; times?: number[] } = {}) {
  const fake = new FakeRequest();
  const progress: UploadProgress[] = [];
  const times = overrides.times ?? [0, 1000, 2000];
  let tick = 0;
  const file = new File(["abcd"], "holiday.webm", { type: "video/webm" });
  const pending = uploadVideo({
    baseUrl: "http://api.test",
    token: "secret",
    file,
    title: "  Holiday  ",
    onProgress: (value) => progress.push(value),
    createRequest: () => fake as unknown as XMLHttpRequest,
    now: () => times[Math.min(tick++, times.length - 1)] ?? 0,
    ...overrides,
  });
  return { fake, progress, pending, file };
}

describe("uploadVideo", () => {
  it("posts multipart form data with the token, and resolves with the created video", async () => {
    const { fake, pending, file } = start();
    expect(fake.method).toBe("POST");
    expect(fake.url).toBe("http://api.test/api/v1/videos");
    expect(fake.headers.Authorization).toBe("Bearer secret");
    expect(fake.body?.get("title")).toBe("Holiday");
    expect((fake.body?.get("file") as File).name).toBe(file.name);
    fake.respond(201, VIDEO);
    await expect(pending).resolves.toEqual(VIDEO);
  });

  it("reports percent, bytes and speed as the body goes out, counted in the file's bytes", () => {
    // The 4-byte file travels in a 4000-byte multipart body: progress speaks of the file.
    const { fake, progress } = start({ times: [0, 1000, 2000] });
    fake.progress(0, 4000);
    fake.progress(1000, 4000);
    fake.progress(3000, 4000);
    expect(progress.map((value) => value.percent)).toEqual([0, 25, 75]);
    expect(progress.at(-1)).toMatchObject({ loaded: 3, total: 4, bytesPerSecond: 1.5 });
    expect(progress[0]?.bytesPerSecond).toBeNull();
  });

  it("rejects with the API's reason in words", async () => {
    const { fake, pending } = start();
    fake.respond(415, { detail: "The file is not a supported video container" });
    const error = await pending.catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(415);
    expect((error as ApiError).message).toMatch(/not a video/);
  });

  it("rejects a too large file with the limit", async () => {
    const { fake, pending } = start();
    fake.respond(413, { detail: "The upload is larger than the limit of 3000000 bytes" });
    await expect(pending).rejects.toThrow("This file is too large to upload. The limit is 3.00 MB.");
  });

  it("ends the session on 401", async () => {
    const onUnauthorized = vi.fn();
    const { fake, pending } = start({ onUnauthorized });
    fake.respond(401, { detail: "Not authenticated" });
    await expect(pending).rejects.toThrow(/session has expired/);
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it("says the network is down when no response arrives", async () => {
    const { fake, pending } = start();
    fake.onerror?.();
    await expect(pending).rejects.toThrow(NETWORK_DOWN);
  });

  it("cancels through the abort signal", async () => {
    const controller = new AbortController();
    const { fake, pending } = start({ signal: controller.signal });
    controller.abort();
    expect(fake.aborted).toBe(true);
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
  });

  it("does not start when already cancelled", async () => {
    const controller = new AbortController();
    controller.abort();
    const { fake, pending } = start({ signal: controller.signal });
    await expect(pending).rejects.toMatchObject({ name: "AbortError" });
    expect(fake.body).toBeNull();
  });
});

describe("progressOf", () => {
  it("floors the percent and caps it at 100", () => {
    expect(progressOf(999, 1000, null).percent).toBe(99);
    expect(progressOf(2000, 1000, null).percent).toBe(100);
    expect(progressOf(0, 0, null).percent).toBe(0);
  });
});

describe("SpeedMeter", () => {
  it("averages over a sliding window", () => {
    const meter = new SpeedMeter(3000);
    expect(meter.record(0, 0)).toBeNull();
    expect(meter.record(1000, 1000)).toBe(1000);
    expect(meter.record(2000, 2000)).toBe(1000);
    // A fast burst after the window moves: old samples drop out.
    expect(meter.record(5000, 2000)).toBeCloseTo(0, 5);
    // 10 000 bytes since the oldest sample kept (at 2 s), over 4 s.
    expect(meter.record(6000, 12000)).toBe(2500);
  });
});
