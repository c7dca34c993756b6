import { describe, expect, it } from "vitest";
import { LINK_EXPIRED, playbackRefusal } from "./refusal";

const answering = (status: number, body: unknown) => (() =>
  Promise.resolve(new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } }))) as typeof fetch;

describe("playbackRefusal", () => {
  it("says nothing when the server serves the bytes", async () => {
    expect(await playbackRefusal("http://api.test/p", answering(206, "x"))).toBeNull();
  });

  it("says nothing when the server cannot be reached: the player's own words stand", async () => {
    const down = (() => Promise.reject(new TypeError("Failed to fetch"))) as typeof fetch;
    expect(await playbackRefusal("http://api.test/p", down)).toBeNull();
  });

  it("gives the server's reason for a copy that is not made yet", async () => {
    const detail = "The browser-playable copy of this video does not exist yet: it is being made.";
    expect(await playbackRefusal("http://api.test/p", answering(409, { detail }))).toBe(detail);
  });

  it("says a deleted video is gone, and an expired link how to get a new one", async () => {
    expect(await playbackRefusal("http://api.test/p", answering(404, { detail: "Not Found" }))).toMatch(/does not exist/);
    expect(await playbackRefusal("http://api.test/p", answering(401, { detail: "revoked" }))).toBe(LINK_EXPIRED);
  });
});
