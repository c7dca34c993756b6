/**
 * One file sent with the tus 1.0 protocol (tus-js-client) to /api/v1/uploads,
 * in chunks the server stores as they arrive. It pauses and resumes, retries
 * with backoff when requests fail, waits while the browser is offline, and
 * after a page reload picks up an unfinished upload of the same file from the
 * offset the server has. When the last byte is in, the upload is the video
 * with the same id.
 */
import { Upload, type DetailedError, type HttpRequest, type HttpResponse, type HttpStack } from "tus-js-client";
import { bearerHeader, endSessionIfRefused } from "../api/bearer";
import { ApiError, describeFailure, NETWORK_DOWN, SESSION_EXPIRED } from "../api/errors";
import type { SessionStore } from "../auth/session";
import { ProgressMeter, type UploadProgress } from "./progress";
import { STALL_MS, StallGuardHttpStack } from "./stallGuard";
import { AccountUrlStorage, uploadFingerprint } from "./urlStorage";

export const UPLOADS_PATH = "/api/v1/uploads";

/**
 * Waits between attempts after a failed request. tus-js-client starts the
 * list again once bytes move, so these bound one outage, not the upload.
 */
export const RETRY_DELAYS_MS = [0, 1000, 3000, 5000, 10_000, 20_000, 30_000, 60_000];

/** How the upload's connection is: sending, about to try again, or waiting for the network. */
export type Connection = "ok" | "retrying" | "offline";

/** Whether the browser has a network, and word when that changes. */
export interface Network {
  isOnline(): boolean;
  onChange(listener: () => void): () => void;
}

export const browserNetwork: Network = {
  isOnline: () => navigator.onLine,
  onChange(listener) {
    window.addEventListener("online", listener);
    window.addEventListener("offline", listener);
    return () => {
      window.removeEventListener("online", listener);
      window.removeEventListener("offline", listener);
    };
  },
};

export interface ResumableOptions {
  baseUrl: string;
  sessions: SessionStore;
  /** Whose upload: stored upload URLs are kept per account. */
  account: string;
  file: File;
  title: string;
  chunkSize: number;
  onProgress: (progress: UploadProgress) => void;
  onConnection: (connection: Connection) => void;
  network?: Network;
  urlStorage?: AccountUrlStorage;
  httpStack?: HttpStack;
  /** A request with no progress this long is given up and retried. */
  stallMs?: number;
  retryDelays?: number[];
  now?: () => number;
}

/** The API refused the token mid-upload: the session has ended, as for any other request. */
class SessionRefused extends Error {
  override name = "SessionRefused";
}

function statusOf(error: Error | DetailedError): number {
  return "originalResponse" in error ? (error.originalResponse?.getStatus() ?? 0) : 0;
}

function refusedSession(error: Error | DetailedError): boolean {
  return "causingError" in error && error.causingError instanceof SessionRefused;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The failure in words, as the rest of the app says it (the server's message where it has one). */
export function failureOf(error: Error | DetailedError): ApiError {
  if (refusedSession(error)) return new ApiError(SESSION_EXPIRED, 401);
  const response = "originalResponse" in error ? error.originalResponse : null;
  if (!response) return new ApiError(NETWORK_DOWN, null);
  const status = response.getStatus();
  const body = parseJson(response.getBody());
  return new ApiError(describeFailure("upload", status, body, response.getHeader("Retry-After") ?? null), status);
}

/**
 * Worth another attempt: no response (the network), the server busy or
 * failing, an offset that moved (409: ask again with HEAD), and an upload
 * the server no longer has (404: tus-js-client then starts a new one).
 * Never a refusal of the file itself (413, 415, 422) or of the session.
 */
export function shouldRetry(error: Error | DetailedError, network: Network): boolean {
  if (refusedSession(error)) return false;
  const status = statusOf(error);
  if (status === 0) return network.isOnline();
  return status >= 500 || [404, 409, 423, 429].includes(status);
}

/** The id of the video an upload became: the last segment of its URL. */
export function uploadIdOf(url: string): string {
  return new URL(url).pathname.split("/").filter(Boolean).at(-1) ?? "";
}

export class ResumableUpload {
  /** The id of the stored video, once every byte is in; rejects with an ApiError, or an AbortError on cancel. */
  readonly done: Promise<string>;
  private readonly upload: Upload;
  private readonly network: Network;
  private readonly urlStorage: AccountUrlStorage;
  private readonly meter: ProgressMeter;
  private readonly fingerprint: string;
  private resolve!: (videoId: string) => void;
  private reject!: (error: unknown) => void;
  private state: "idle" | "running" | "paused" | "offline" | "ended" = "idle";
  /** Whether start() found this file's upload left unfinished earlier (before a reload) and continued it. */
  resumedEarlierUpload = false;
  private stopWatching: () => void = () => undefined;

  constructor(private readonly options: ResumableOptions) {
    this.network = options.network ?? browserNetwork;
    this.urlStorage = options.urlStorage ?? new AccountUrlStorage();
    this.meter = new ProgressMeter(options.now);
    const endpoint = `${options.baseUrl}${UPLOADS_PATH}`;
    this.fingerprint = uploadFingerprint(options.account, options.file, endpoint);
    this.done = new Promise<string>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    const title = options.title.trim();
    this.upload = new Upload(options.file, {
      endpoint,
      chunkSize: options.chunkSize,
      retryDelays: options.retryDelays ?? RETRY_DELAYS_MS,
      metadata: { filename: options.file.name, ...(title ? { title } : {}) },
      fingerprint: () => Promise.resolve(this.fingerprint),
      urlStorage: this.urlStorage,
      storeFingerprintForResuming: true,
      removeFingerprintOnSuccess: true,
      httpStack: new StallGuardHttpStack(options.httpStack, options.stallMs ?? STALL_MS),
      onBeforeRequest: (request) => {
        // tus-js-client may still send after abort() while it opens the file: a paused upload sends nothing.
        if (this.state !== "running") throw new Error("The upload is not running");
        this.authorize(request);
      },
      onAfterResponse: (request, response) => {
        this.checkSession(request, response);
      },
      onProgress: (sent, total) => {
        if (this.state !== "running") return; // the answer to a request stopped by a pause
        options.onConnection("ok");
        options.onProgress(this.meter.record(sent, total));
      },
      onShouldRetry: (error) => {
        const retry = this.state === "running" && shouldRetry(error, this.network);
        if (retry) options.onConnection("retrying");
        return retry;
      },
      onSuccess: () => {
        this.end();
        this.resolve(uploadIdOf(this.upload.url ?? ""));
      },
      onError: (error) => {
        this.failed(error);
      },
    });
  }

  /** Starts the upload, continuing one this account left unfinished for the same file. */
  async start(): Promise<void> {
    if (this.state !== "idle") return;
    this.state = "running";
    this.watchNetwork();
    const [previous] = await this.upload.findPreviousUploads();
    if (previous) this.upload.resumeFromPreviousUpload(previous);
    this.resumedEarlierUpload = previous !== undefined;
    if (this.stoppedMeanwhile()) return;
    this.send();
  }

  /** Stops sending; what the server stored stays, for resume(). */
  pause(): void {
    if (this.state !== "running" && this.state !== "offline") return;
    this.state = "paused";
    this.stopWatching();
    void this.upload.abort();
  }

  /** Continues from the offset the server has (asked with HEAD). */
  resume(): void {
    if (this.state !== "paused") return;
    this.state = "running";
    this.watchNetwork();
    this.send();
  }

  /** Stops for good: the server drops what it stored, and this browser forgets the upload. */
  async cancel(): Promise<void> {
    if (this.state === "ended") return;
    const url = this.upload.url;
    this.end();
    void this.upload.abort();
    this.reject(new DOMException("Upload cancelled", "AbortError"));
    await this.urlStorage.removeFingerprint(this.fingerprint);
    if (!url) return;
    try {
      await Upload.terminate(url, {
        ...this.upload.options,
        retryDelays: [0, 1000, 3000],
        onBeforeRequest: (request) => {
          this.authorize(request);
        },
        onShouldRetry: (error) => shouldRetry(error, this.network),
      });
    } catch {
      // Unreachable or already gone: the server expires an abandoned upload by itself.
    }
  }

  private watchNetwork(): void {
    this.stopWatching = this.network.onChange(() => {
      this.networkChanged();
    });
  }

  /** Paused or cancelled while it looked for a previous upload. */
  private stoppedMeanwhile(): boolean {
    return this.state !== "running";
  }

  private send(): void {
    if (!this.network.isOnline()) {
      this.waitForNetwork();
      return;
    }
    this.meter.restart();
    this.options.onConnection("ok");
    this.upload.start();
  }

  private waitForNetwork(): void {
    this.state = "offline";
    this.options.onConnection("offline");
  }

  /**
   * Offline: the request in flight is stopped (a cut connection may
   * otherwise hang until the system gives up on it) and the upload waits;
   * back online, it asks the server where it stopped and goes on.
   */
  private networkChanged(): void {
    if (this.state === "running" && !this.network.isOnline()) {
      void this.upload.abort();
      this.waitForNetwork();
    } else if (this.state === "offline" && this.network.isOnline()) {
      this.state = "running";
      this.send();
    }
  }

  private authorize(request: HttpRequest): void {
    const authorization = bearerHeader(this.options.sessions);
    if (authorization) request.setHeader("Authorization", authorization);
  }

  private checkSession(request: HttpRequest, response: HttpResponse): void {
    const sentToken = request.getHeader("Authorization") !== undefined;
    if (endSessionIfRefused(this.options.sessions, response.getStatus(), sentToken)) {
      // Thrown here, before tus-js-client reads the 401 as "this upload is gone" and forgets its URL:
      // after logging in again, the same file resumes.
      throw new SessionRefused(SESSION_EXPIRED);
    }
  }

  private failed(error: Error | DetailedError): void {
    if (this.state !== "running") return;
    if (statusOf(error) === 0 && !refusedSession(error) && !this.network.isOnline()) {
      this.waitForNetwork();
      return;
    }
    const failure = failureOf(error);
    this.end();
    // Refused for good (not a video, too large, a bad title): nothing left to resume.
    if (failure.status !== null && failure.status < 500 && failure.status !== 401 && failure.status !== 429) {
      void this.urlStorage.removeFingerprint(this.fingerprint);
    }
    this.reject(failure);
  }

  private end(): void {
    this.state = "ended";
    this.stopWatching();
  }
}
