import { describe, expect, it } from "vitest";
import type { Video } from "../api/client";
import { isPending, nextToUpload, queueReducer, type UploadItem } from "./queue";

const file = (name: string) => new File(["x"], name, { type: "video/webm" });
const video = { id: "v1", title: "First" } as Video;
const progress = { loaded: 5, total: 10, percent: 50, bytesPerSecond: 100 };

function queued(): UploadItem[] {
  return queueReducer([], { type: "add", files: [file("first.webm"), file("second.mp4")], ids: ["a", "b"] });
}

describe("queueReducer", () => {
  it("queues added files at once, titled after their names", () => {
    const items = queueReducer([], { type: "add", files: [file("My trip.final.webm")], ids: ["a"] });
    expect(items).toMatchObject([{ id: "a", title: "My trip.final", status: "queued", progress: null }]);
  });

  it("edits titles while queued and uploading, not once stored", () => {
    let items = queueReducer([], { type: "add", files: [file("a.webm")], ids: ["a"] });
    items = queueReducer(items, { type: "title", id: "a", title: "Better" });
    expect(items[0]).toMatchObject({ title: "Better", titleEdited: true });
    items = queueReducer(items, { type: "begin", id: "a" });
    items = queueReducer(items, { type: "title", id: "a", title: "Better still" });
    expect(items[0]?.title).toBe("Better still");
    items = queueReducer(items, { type: "done", id: "a", video });
    expect(queueReducer(items, { type: "title", id: "a", title: "Too late" })[0]?.title).toBe("Better still");
  });

  it("tells clip.mp4 from clip.avi by their format, but keeps a title someone typed", () => {
    let items = queueReducer([], { type: "add", files: [file("clip.mp4")], ids: ["a"] });
    expect(items[0]?.title).toBe("clip");
    items = queueReducer(items, { type: "add", files: [file("clip.avi"), file("other.webm")], ids: ["b", "c"] });
    expect(items.map((item) => item.title)).toEqual(["clip (MP4)", "clip (AVI)", "other"]);
    items = queueReducer(items, { type: "title", id: "a", title: "The good take" });
    items = queueReducer(items, { type: "add", files: [file("clip.mkv")], ids: ["d"] });
    expect(items.map((item) => item.title)).toEqual(["The good take", "clip (AVI)", "other", "clip (MKV)"]);
  });

  it("sends one file at a time, in order", () => {
    let items = queued();
    expect(nextToUpload(items)?.id).toBe("a");
    items = queueReducer(items, { type: "begin", id: "a" });
    expect(nextToUpload(items)).toBeNull();
    items = queueReducer(items, { type: "progress", id: "a", progress });
    expect(items[0]?.progress).toEqual(progress);
    items = queueReducer(items, { type: "done", id: "a", video });
    expect(items[0]).toMatchObject({ status: "done", video, progress: { percent: 100, loaded: 10 } });
    expect(nextToUpload(items)?.id).toBe("b");
  });

  it("ignores progress that arrives after the upload ended", () => {
    let items = queueReducer(queued(), { type: "begin", id: "a" });
    items = queueReducer(items, { type: "cancelled", id: "a" });
    items = queueReducer(items, { type: "progress", id: "a", progress });
    expect(items[0]).toMatchObject({ status: "cancelled", progress: null });
  });

  it("keeps failures with their message and retries them", () => {
    let items = queueReducer(queued(), { type: "begin", id: "a" });
    items = queueReducer(items, { type: "failed", id: "a", error: "Cannot reach the server.", retryable: true });
    expect(items[0]).toMatchObject({ status: "failed", error: "Cannot reach the server." });
    items = queueReducer(items, { type: "retry", id: "a" });
    expect(items[0]).toMatchObject({ status: "queued", error: null });
  });

  it("does not retry what the server refused for good (too large, not a video)", () => {
    let items = queueReducer(queued(), { type: "begin", id: "a" });
    items = queueReducer(items, { type: "failed", id: "a", error: "This file is too large to upload.", retryable: false });
    expect(queueReducer(items, { type: "retry", id: "a" })[0]).toMatchObject({ status: "failed", retryable: false });
  });

  it("retries a cancelled upload", () => {
    let items = queueReducer(queued(), { type: "begin", id: "a" });
    items = queueReducer(items, { type: "cancelled", id: "a" });
    expect(queueReducer(items, { type: "retry", id: "a" })[0]?.status).toBe("queued");
  });

  it("does not drop an upload in flight, but clears finished ones", () => {
    let items = queueReducer(queued(), { type: "begin", id: "a" });
    expect(queueReducer(items, { type: "remove", id: "a" })).toHaveLength(2);
    expect(queueReducer(items, { type: "remove", id: "b" }).map((item) => item.id)).toEqual(["a"]);
    items = queueReducer(items, { type: "done", id: "a", video });
    expect(queueReducer(items, { type: "clear-finished" }).map((item) => item.id)).toEqual(["b"]);
  });

  it("pauses an upload, lets the next one go, and queues it again on resume", () => {
    let items = queueReducer(queued(), { type: "begin", id: "a" });
    items = queueReducer(items, { type: "progress", id: "a", progress });
    items = queueReducer(items, { type: "pause", id: "a" });
    expect(items[0]).toMatchObject({ status: "paused", progress });
    expect(isPending(items[0] as UploadItem)).toBe(true);
    expect(nextToUpload(items)?.id).toBe("b");
    items = queueReducer(items, { type: "begin", id: "b" });
    items = queueReducer(items, { type: "resume", id: "a" });
    expect(items[0]).toMatchObject({ status: "queued", progress });
    expect(nextToUpload(items)).toBeNull();
    items = queueReducer(items, { type: "done", id: "b", video });
    expect(nextToUpload(items)?.id).toBe("a");
    // A waiting upload pauses too (it keeps its turn for later); a stored one does not, and only a paused one resumes.
    expect(queueReducer(items, { type: "pause", id: "a" })[0]?.status).toBe("paused");
    expect(queueReducer(items, { type: "pause", id: "b" })[1]?.status).toBe("done");
    expect(queueReducer(items, { type: "resume", id: "b" })[1]?.status).toBe("done");
  });

  it("says how the connection of the upload in flight is, and starts each upload as connected", () => {
    let items = queueReducer(queued(), { type: "begin", id: "a" });
    items = queueReducer(items, { type: "connection", id: "a", connection: "offline" });
    expect(items[0]?.connection).toBe("offline");
    expect(queueReducer(items, { type: "connection", id: "b", connection: "retrying" })[1]?.connection).toBe("ok");
    items = queueReducer(items, { type: "pause", id: "a" });
    items = queueReducer(items, { type: "resume", id: "a" });
    expect(queueReducer(items, { type: "begin", id: "a" })[0]?.connection).toBe("ok");
  });

  it("queues a later batch behind the upload in flight", () => {
    let items = queueReducer(queued(), { type: "begin", id: "a" });
    items = queueReducer(items, { type: "add", files: [file("third.webm")], ids: ["c"] });
    expect(items.map((item) => item.status)).toEqual(["uploading", "queued", "queued"]);
    expect(nextToUpload(items)).toBeNull();
  });
});
