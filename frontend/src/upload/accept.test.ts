import { describe, expect, it } from "vitest";
import { fileKey, looksLikeVideo, refusalOf } from "./accept";

const bytes = (...parts: (string | number[])[]) =>
  new Uint8Array(parts.flatMap((part) => (typeof part === "string" ? Array.from(part, (char) => char.charCodeAt(0)) : part)));

describe("looksLikeVideo", () => {
  it("knows the containers the server accepts by their first bytes", () => {
    expect(looksLikeVideo(bytes([0, 0, 0, 24], "ftypisom"))).toBe(true);
    expect(looksLikeVideo(bytes([0, 0, 0, 24], "ftypqt  "))).toBe(true);
    expect(looksLikeVideo(bytes([0x1a, 0x45, 0xdf, 0xa3], "webm"))).toBe(true);
    expect(looksLikeVideo(bytes("RIFF", [1, 2, 3, 4], "AVI LIST"))).toBe(true);
    expect(looksLikeVideo(bytes("OggS", [0]))).toBe(true);
  });

  it("refuses audio-only MP4, WAV and text", () => {
    expect(looksLikeVideo(bytes([0, 0, 0, 24], "ftypM4A "))).toBe(false);
    expect(looksLikeVideo(bytes("RIFF", [1, 2, 3, 4], "WAVEfmt "))).toBe(false);
    expect(looksLikeVideo(bytes("just some text"))).toBe(false);
  });
});

describe("refusalOf", () => {
  it("refuses by extension, then by contents, and accepts a real header", async () => {
    expect(await refusalOf(new File(["hello"], "notes.txt"))).toMatch(/notes.txt is not a video file/);
    expect(await refusalOf(new File(["hello, not a video"], "notes.mp4"))).toMatch(/contents are not/);
    expect(await refusalOf(new File([], "empty.webm"))).toMatch(/empty/);
    expect(await refusalOf(new File([bytes([0, 0, 0, 24], "ftypisom")], "CLIP.MP4"))).toBeNull();
  });

  it("keys a file by name, size and modification time", () => {
    const a = new File(["x"], "a.webm", { lastModified: 1 });
    expect(fileKey(a)).toBe(fileKey(new File(["y"], "a.webm", { lastModified: 1 })));
    expect(fileKey(a)).not.toBe(fileKey(new File(["y"], "a.webm", { lastModified: 2 })));
  });
});
