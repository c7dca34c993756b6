import { describe, expect, it } from "vitest";
import type { Video } from "../api/client";
import { canLoadMore, initialLibrary, libraryReducer, type LibraryState } from "./state";

function video(n: number): Video {
  return {
    id: `id-${String(n).padStart(2, "0")}`,
    title: `Clip ${n}`,
    filename: `clip${n}.webm`,
    content_type: "video/webm",
    size: 1000 * n,
    created_at: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    stream_url: `/api/v1/videos/id-${n}/stream?token=t${n}`,
  };
}

function loaded(items: Video[], next: string | null): LibraryState {
  return libraryReducer(libraryReducer(initialLibrary, { type: "load-start" }), {
    type: "page-loaded",
    page: { items, next_cursor: next },
    first: true,
  });
}

describe("libraryReducer", () => {
  it("starts idle, loads the first page and remembers the cursor", () => {
    expect(canLoadMore(initialLibrary)).toBe(false);
    const state = loaded([video(3), video(2)], "cursor-1");
    expect(state).toMatchObject({ status: "ready", nextCursor: "cursor-1", loadedOnce: true });
    expect(canLoadMore(state)).toBe(true);
  });

  it("appends later pages without duplicates and stops at the last page", () => {
    let state = loaded([video(4), video(3)], "c1");
    state = libraryReducer(state, { type: "load-start" });
    expect(canLoadMore(state)).toBe(false);
    state = libraryReducer(state, { type: "page-loaded", page: { items: [video(3), video(2), video(1)], next_cursor: null }, first: false });
    expect(state.items.map((item) => item.title)).toEqual(["Clip 4", "Clip 3", "Clip 2", "Clip 1"]);
    expect(canLoadMore(state)).toBe(false);
  });

  it("replaces the items when the first page is loaded again", () => {
    const state = libraryReducer(loaded([video(2), video(1)], null), {
      type: "page-loaded",
      page: { items: [video(3)], next_cursor: "c" },
      first: true,
    });
    expect(state.items.map((item) => item.id)).toEqual(["id-03"]);
  });

  it("keeps the items on a failed load and says why", () => {
    let state = loaded([video(1)], "c1");
    state = libraryReducer(state, { type: "load-start" });
    state = libraryReducer(state, { type: "load-failed", error: "Cannot reach the Vidvault server." });
    expect(state).toMatchObject({ status: "error", error: "Cannot reach the Vidvault server." });
    expect(state.items).toHaveLength(1);
  });

  it("puts a new upload first, newest first, once", () => {
    let state = loaded([video(2), video(1)], null);
    state = libraryReducer(state, { type: "added", video: video(5) });
    state = libraryReducer(state, { type: "added", video: video(5) });
    expect(state.items.map((item) => item.id)).toEqual(["id-05", "id-02", "id-01"]);
  });

  it("renames in place, keeping the stream URL the player uses", () => {
    const state = libraryReducer(loaded([video(1)], null), {
      type: "renamed",
      video: { ...video(1), title: "Better", stream_url: "/new-token" },
    });
    expect(state.items[0]).toMatchObject({ title: "Better", stream_url: video(1).stream_url });
  });

  it("removes a deleted video", () => {
    const state = libraryReducer(loaded([video(2), video(1)], null), { type: "removed", id: "id-02" });
    expect(state.items.map((item) => item.id)).toEqual(["id-01"]);
  });
});
