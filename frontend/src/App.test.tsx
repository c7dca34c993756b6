import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { App } from "./App";
import { createApi, type Video } from "./api/client";
import { SessionStore } from "./auth/session";
import { testVideo } from "./api/testVideo";

function video(n: number): Video {
  return testVideo(n);
}

/** A fake API behind the real generated client: 30 videos, pages of PAGE_SIZE. */
function fakeServer(options: { expireToken?: boolean } = {}) {
  const videos = Array.from({ length: 30 }, (_, index) => video(30 - index));
  const control = { holdLists: false, videos };
  const handle = async (input: RequestInfo | URL): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input);
    const url = new URL(request.url);
    const reply = (status: number, body: unknown) =>
      new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
    if (url.pathname.endsWith("/auth/login")) return reply(200, { access_token: "tok", token_type: "bearer", expires_in: 3600 });
    if (options.expireToken) return reply(401, { detail: "Not authenticated" });
    if (url.pathname.endsWith("/videos")) {
      if (control.holdLists) await new Promise(() => undefined);
      const limit = Number(url.searchParams.get("limit"));
      const start = Number(url.searchParams.get("cursor") ?? "0");
      const end = start + limit;
      return reply(200, { items: videos.slice(start, end), next_cursor: end < videos.length ? String(end) : null });
    }
    const found = videos.find((item) => url.pathname.endsWith(`/videos/${item.id}`));
    if (found && request.method === "PATCH") {
      const { title } = (await request.json()) as { title: string };
      found.title = title;
      return reply(200, { ...found, stream_url: `${found.stream_url}-renewed` });
    }
    if (found) return reply(200, found);
    return reply(404, { detail: "Not Found" });
  };
  const fetchImpl: typeof fetch = (input) => handle(input);
  const sessions = new SessionStore(sessionStorage);
  return { sessions, control, api: createApi("http://api.test", sessions, fetchImpl) };
}

describe("App", () => {
  it("sends a visitor to log in, then shows the library page by page", async () => {
    window.history.pushState({}, "", "/");
    const user = userEvent.setup();
    render(<App {...fakeServer()} />);

    expect(await screen.findByRole("heading", { name: "Log in" })).toBeTruthy();
    await user.type(screen.getByLabelText("Email"), "me@example.com");
    await user.type(screen.getByLabelText("Password"), "secret-password");
    await user.click(screen.getByRole("button", { name: "Log in" }));

    const list = await screen.findByRole("list", { name: "Videos" });
    expect(within(list).getAllByRole("listitem")).toHaveLength(24);
    expect(within(list).getByRole("link", { name: /Clip 30/ }).getAttribute("href")).toBe(`/videos/${video(30).id}`);
    expect(screen.getByText("24+ videos, newest first")).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("30 videos, newest first")).toBeTruthy();
    expect(within(list).getAllByRole("listitem")).toHaveLength(30);
    expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
    expect(screen.getByRole("button", { name: "Account: me@example.com" })).toBeTruthy();
  }, 15_000);

  it("shows a rename made in the player in the library without fetching the library again", async () => {
    window.history.pushState({}, "", "/");
    const user = userEvent.setup();
    const { control, ...server } = fakeServer();
    server.sessions.start("tok", "me@example.com", 3600);
    render(<App {...server} />);

    await user.click(await screen.findByRole("link", { name: /Clip 29/ }));
    expect(await screen.findByRole("heading", { name: "Clip 29" })).toBeTruthy();
    const src = document.querySelector("video")?.getAttribute("src");
    expect(src).toMatch(/\/playback\?token=t29$/);
    await user.click(screen.getByRole("button", { name: "Rename" }));
    const field = screen.getByLabelText("Title");
    await user.clear(field);
    await user.type(field, "School play");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByRole("heading", { name: "School play" })).toBeTruthy();
    // The player keeps its stream: the renamed resource's fresh token would restart playback.
    expect(screen.getByRole("region", { name: "Video player: School play" })).toBeTruthy();
    expect(document.querySelector("video")?.getAttribute("src")).toBe(src);

    // The library's background revalidation never answers: what it shows comes from the cache.
    control.holdLists = true;
    await user.click(screen.getByRole("link", { name: "← Library" }));
    const list = await screen.findByRole("list", { name: "Videos" });
    expect(within(list).getByRole("link", { name: /School play/ })).toBeTruthy();
    expect(within(list).queryByRole("link", { name: /Clip 29/ })).toBeNull();
  });

  it("waits for a version the browser plays while the video is processing, then plays it without a reload", async () => {
    const ready = video(30);
    window.history.pushState({}, "", `/videos/${ready.id}`);
    const { control, ...server } = fakeServer();
    Object.assign(control.videos[0] ?? {}, { status: "processing", progress: 40, playback_url: null, storyboard_url: null });
    server.sessions.start("tok", "me@example.com", 3600);
    render(<App {...server} />);

    expect(await screen.findByText(/Getting this video ready to play in your browser/)).toBeTruthy();
    expect(screen.getByRole("progressbar", { name: "Preparing the video" }).getAttribute("aria-valuenow")).toBe("40");
    expect(document.querySelector("video")).toBeNull();
    Object.assign(control.videos[0] ?? {}, { status: "ready", progress: 100, playback_url: ready.playback_url });

    // The page polls while the video is processing: the player replaces the wait by itself.
    expect(await screen.findByRole("region", { name: "Video player: Clip 30" }, { timeout: 5000 })).toBeTruthy();
    expect(document.querySelector("video")?.getAttribute("src")).toBe(`http://api.test${ready.playback_url ?? ""}`);
    expect(screen.queryByText(/Getting this video ready/)).toBeNull();
  }, 15_000);

  it("returns to the login page with a reason when the token is refused", async () => {
    window.history.pushState({}, "", "/");
    const server = fakeServer({ expireToken: true });
    server.sessions.start("old", "me@example.com", 3600);
    render(<App {...server} />);

    expect(await screen.findByRole("heading", { name: "Log in" })).toBeTruthy();
    expect(screen.getByRole("status").textContent).toMatch(/session has expired/);
  });

  it("answers an unknown address with a way back to the library", async () => {
    window.history.pushState({}, "", "/nowhere");
    const server = fakeServer();
    server.sessions.start("tok", "me@example.com", 3600);
    render(<App {...server} />);
    expect(await screen.findByRole("heading", { name: "Page not found" })).toBeTruthy();
    expect(screen.getByRole("link", { name: "Go to your library" }).getAttribute("href")).toBe("/");
  });
});
