/**
 * A connection can die without the browser noticing: Wi-Fi still up, the
 * route beyond it gone. An XMLHttpRequest then waits for minutes with no
 * byte moving. This HTTP stack for tus-js-client fails a request that has
 * made no progress for a while, so the upload's retry (HEAD, then PATCH from
 * the server's offset) takes over, as for any dropped connection.
 */
import { DefaultHttpStack, type HttpRequest, type HttpResponse, type HttpStack } from "tus-js-client";

/** Long enough for a slow link (progress comes many times a second while bytes move) and the server's answer. */
export const STALL_MS = 30_000;

export class StalledRequest extends Error {
  override name = "StalledRequest";
}

class GuardedRequest implements HttpRequest {
  private onProgress: (bytesSent: number) => void = () => undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private rearm: () => void = () => undefined;

  constructor(
    private readonly inner: HttpRequest,
    private readonly stallMs: number,
  ) {
    inner.setProgressHandler((bytesSent) => {
      this.rearm();
      this.onProgress(bytesSent);
    });
  }

  getMethod() {
    return this.inner.getMethod();
  }
  getURL() {
    return this.inner.getURL();
  }
  setHeader(header: string, value: string) {
    this.inner.setHeader(header, value);
  }
  getHeader(header: string) {
    return this.inner.getHeader(header);
  }
  setProgressHandler(handler: (bytesSent: number) => void) {
    this.onProgress = handler;
  }
  getUnderlyingObject(): unknown {
    return this.inner.getUnderlyingObject();
  }

  send(body: unknown): Promise<HttpResponse> {
    return new Promise<HttpResponse>((resolve, reject) => {
      this.rearm = () => {
        clearTimeout(this.timer);
        this.timer = setTimeout(() => {
          void this.inner.abort();
          reject(new StalledRequest(`No progress for ${this.stallMs / 1000} s`));
        }, this.stallMs);
      };
      this.rearm();
      this.inner.send(body).then(
        (response) => {
          clearTimeout(this.timer);
          resolve(response);
        },
        (error: unknown) => {
          clearTimeout(this.timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }

  abort(): Promise<void> {
    clearTimeout(this.timer);
    this.rearm = () => undefined;
    return this.inner.abort();
  }
}

export class StallGuardHttpStack implements HttpStack {
  constructor(
    private readonly inner: HttpStack = new DefaultHttpStack({}),
    private readonly stallMs = STALL_MS,
  ) {}

  getName() {
    return `StallGuard(${this.inner.getName()})`;
  }

  createRequest(method: string, url: string): HttpRequest {
    return new GuardedRequest(this.inner.createRequest(method, url), this.stallMs);
  }
}
