import { afterEach, describe, expect, it, vi } from "vitest";
import type { HttpRequest, HttpResponse, HttpStack } from "tus-js-client";
import { StallGuardHttpStack, StalledRequest } from "./stallGuard";

const OK: HttpResponse = { getStatus: () => 204, getHeader: () => undefined, getBody: () => "", getUnderlyingObject: () => null };

/** One request whose progress and answer the test gives by hand. */
function manualStack() {
  const control: { progress: (sent: number) => void; answer: (response: HttpResponse) => void; aborted: boolean } = {
    progress: () => undefined,
    answer: () => undefined,
    aborted: false,
  };
  const stack: HttpStack = {
    getName: () => "manual",
    createRequest: (method, url): HttpRequest => ({
      getMethod: () => method,
      getURL: () => url,
      setHeader: () => undefined,
      getHeader: () => undefined,
      setProgressHandler: (handler) => {
        control.progress = handler;
      },
      send: () =>
        new Promise<HttpResponse>((resolve) => {
          control.answer = resolve;
        }),
      abort: () => {
        control.aborted = true;
        return Promise.resolve();
      },
      getUnderlyingObject: () => null,
    }),
  };
  return { stack, control };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("StallGuardHttpStack", () => {
  it("fails and aborts a request with no progress for the stall time", async () => {
    vi.useFakeTimers();
    const { stack, control } = manualStack();
    const request = new StallGuardHttpStack(stack, 1000).createRequest("PATCH", "http://api/u/1");
    const sent = request.send(null);
    vi.advanceTimersByTime(999);
    expect(control.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    await expect(sent).rejects.toBeInstanceOf(StalledRequest);
    expect(control.aborted).toBe(true);
  });

  it("lets a request that keeps moving take as long as it needs, and passes its progress on", async () => {
    vi.useFakeTimers();
    const { stack, control } = manualStack();
    const request = new StallGuardHttpStack(stack, 1000).createRequest("PATCH", "http://api/u/1");
    const seen: number[] = [];
    request.setProgressHandler((sent) => seen.push(sent));
    const sent = request.send(null);
    for (let step = 1; step <= 5; step++) {
      vi.advanceTimersByTime(900);
      control.progress(step * 100);
    }
    control.answer(OK);
    await expect(sent).resolves.toBe(OK);
    vi.advanceTimersByTime(5000);
    expect(control.aborted).toBe(false);
    expect(seen).toEqual([100, 200, 300, 400, 500]);
  });

  it("stops watching a request the upload aborted (a pause)", async () => {
    vi.useFakeTimers();
    const { stack } = manualStack();
    const request = new StallGuardHttpStack(stack, 1000).createRequest("PATCH", "http://api/u/1");
    const settled = vi.fn();
    request.send(null).then(settled, settled);
    await request.abort();
    vi.advanceTimersByTime(5000);
    await Promise.resolve();
    expect(settled).not.toHaveBeenCalled();
  });
});
