import { describe, expect, it, vi } from "vitest";
import { SessionStore } from "../auth/session";
import { ApiError, NETWORK_DOWN } from "./errors";
import { createApi, PAGE_SIZE } from "./client";

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

function setup(respond: (request: Request) => Response | Promise<Response>) {
  const requests: Request[] = [];
  const fetchImpl = vi.fn(async (input: RequestInfo | URL) => {
    const request = input instanceof Request ? input : new Request(input);
    requests.push(request.clone());
    return respond(request);
  });
  const sessions = new SessionStore(sessionStorage);
  const api = createApi("http://api.test", sessions, fetchImpl);
  return { api, sessions, requests };
}

describe("createApi", () => {
  it("logs in with the OAuth2 password form", async () => {
    const { api, requests } = setup(() => json(200, { access_token: "tok", token_type: "bearer", expires_in: 3600 }));
    await expect(api.login("me@example.com", "pw123456")).resolves.toMatchObject({ access_token: "tok" });
    const [request] = requests;
    expect(request?.url).toBe("http://api.test/api/v1/auth/login");
    expect(request?.headers.get("Content-Type")).toBe("application/x-www-form-urlencoded");
    const form = new URLSearchParams(await request?.text());
    expect(form.get("username")).toBe("me@example.com");
    expect(form.get("password")).toBe("pw123456");
  });

  it("sends the token and pages with limit, cursor, search and order", async () => {
    const { api, sessions, requests } = setup(() => json(200, { items: [], next_cursor: null }));
    sessions.start("tok", "me@example.com", 3600);
    await api.listVideos("abc", { q: "école été", sort: "title" });
    const url = new URL(requests[0]?.url ?? "");
    expect(url.pathname).toBe("/api/v1/videos");
    expect(url.searchParams.get("limit")).toBe(String(PAGE_SIZE));
    expect(url.searchParams.get("cursor")).toBe("abc");
    expect(url.searchParams.get("q")).toBe("école été");
    expect(url.searchParams.get("sort")).toBe("title");
    expect(requests[0]?.headers.get("Authorization")).toBe("Bearer tok");
  });

  it("leaves the cursor and an empty search out", async () => {
    const { api, requests } = setup(() => json(200, { items: [], next_cursor: null }));
    await api.listVideos(null, { q: "", sort: "newest" });
    const params = new URL(requests[0]?.url ?? "").searchParams;
    expect(params.has("cursor")).toBe(false);
    expect(params.has("q")).toBe(false);
  });

  it("ends the session when the API rejects its token", async () => {
    const { api, sessions } = setup(() => json(401, { detail: "Not authenticated" }));
    sessions.start("tok", "me@example.com", 3600);
    await expect(api.getVideo("v1")).rejects.toThrow(/session has expired/);
    expect(sessions.get()).toBeNull();
    expect(sessions.endReason()).toBe("expired");
  });

  it("does not treat a wrong password as an expired session", async () => {
    const { api, sessions } = setup(() => json(401, { detail: "Incorrect email or password" }));
    const failure = await api.login("me@example.com", "nope").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).message).toBe("Wrong email or password.");
    expect(sessions.endReason()).toBeNull();
  });

  it("reports a network failure in words", async () => {
    const { api } = setup(() => {
      throw new TypeError("Failed to fetch");
    });
    await expect(api.signup("me@example.com", "pw123456")).rejects.toThrow(NETWORK_DOWN);
  });

  it("renames with a JSON body and deletes with 204", async () => {
    const { api, requests } = setup((request) =>
      request.method === "DELETE" ? json(204, null) : json(200, { id: "v1", title: "New" }),
    );
    await expect(api.renameVideo("v1", "New")).resolves.toMatchObject({ title: "New" });
    expect(requests[0]?.method).toBe("PATCH");
    expect(await requests[0]?.json()).toEqual({ title: "New" });
    await expect(api.deleteVideo("v1")).resolves.toBeUndefined();
    expect(requests[1]?.url).toBe("http://api.test/api/v1/videos/v1");
  });

  it("passes the Retry-After of a throttled login into the message", async () => {
    const { api } = setup(() => json(429, { detail: "Too many failed login attempts" }, { "Retry-After": "120" }));
    await expect(api.login("me@example.com", "pw")).rejects.toThrow("Too many failed login attempts. Wait 2 minutes and try again.");
  });
});
