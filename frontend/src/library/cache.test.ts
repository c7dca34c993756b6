import { describe, expect, it } from "vitest";
import type { Video } from "../api/client";
import { testVideo } from "../api/testVideo";
import { allVideos, prependVideo, removeVideo, replaceVideo, type LibraryPages } from "./cache";

function video(n: number): Video {
  return { ...testVideo(n, `id-${String(n).padStart(2, "0")}`), size: 1000 * n };
}

function pages(...lists: Video[][]): LibraryPages {
  return {
    pages: lists.map((items, index) => ({ items, next_cursor: index < lists.length - 1 ? `c${index}` : null })),
    pageParams: lists.map((_, index) => (index === 0 ? null : `c${index - 1}`)),
  };
}

const ids = (cached: LibraryPages) => allVideos(cached).map((item) => item.id);

describe("library cache edits", () => {
  it("lists every page in order, each video once", () => {
    expect(ids(pages([video(4), video(3)], [video(3), video(2)]))).toEqual(["id-04", "id-03", "id-02"]);
    expect(allVideos(undefined)).toEqual([]);
  });

  it("replaces a renamed video wherever it is, leaving the others untouched", () => {
    const before = pages([video(3)], [video(2), video(1)]);
    const after = replaceVideo(before, { ...video(2), title: "Better" });
    expect(allVideos(after).map((item) => item.title)).toEqual(["Clip 3", "Better", "Clip 1"]);
    expect(after.pages[0]?.items[0]).toBe(before.pages[0]?.items[0]);
    expect(before.pages[1]?.items[0]?.title).toBe("Clip 2");
  });

  it("removes a deleted video and keeps the cursors", () => {
    const after = removeVideo(pages([video(3)], [video(2), video(1)]), "id-02");
    expect(ids(after)).toEqual(["id-03", "id-01"]);
    expect(after.pageParams).toEqual([null, "c0"]);
  });

  it("puts a new upload first, once", () => {
    let cached = prependVideo(pages([video(2), video(1)]), video(5));
    cached = prependVideo(cached, video(5));
    expect(ids(cached)).toEqual(["id-05", "id-02", "id-01"]);
    expect(prependVideo(pages(), video(5)).pages).toEqual([]);
  });
});
