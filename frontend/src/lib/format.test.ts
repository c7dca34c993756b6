import { describe, expect, it } from "vitest";
import { apiBaseUrl, apiUrl, DEFAULT_API_URL, DEFAULT_UPLOAD_CHUNK_BYTES, uploadChunkBytes } from "../config";
import { formatBytes, formatDuration, formatRelative, formatSpeed, titleFromFilename } from "./format";

describe("formatBytes", () => {
  it("uses decimal units with sensible precision", () => {
    expect(formatBytes(0)).toBe("0 B");
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(132_336)).toBe("132 KB");
    expect(formatBytes(1_500_000)).toBe("1.50 MB");
    expect(formatBytes(25_300_000)).toBe("25.3 MB");
    expect(formatBytes(2 * 1024 ** 3)).toBe("2.15 GB");
    expect(formatBytes(-1)).toBe("—");
  });

  it("formats speeds, unknown until measured", () => {
    expect(formatSpeed(null)).toBe("—");
    expect(formatSpeed(52_000)).toBe("52.0 KB/s");
  });
});

describe("formatRelative", () => {
  it("speaks in the nearest unit", () => {
    const now = Date.UTC(2026, 0, 10, 12);
    expect(formatRelative(new Date(now - 5_000).toISOString(), now)).toMatch(/5 seconds ago/);
    expect(formatRelative(new Date(now - 3 * 3600_000).toISOString(), now)).toMatch(/3 hours ago/);
    expect(formatRelative("not a date", now)).toBe("not a date");
  });
});

describe("titleFromFilename", () => {
  it("drops the extension only", () => {
    expect(titleFromFilename("Holiday 2025.final.mp4")).toBe("Holiday 2025.final");
    expect(titleFromFilename("README")).toBe("README");
    expect(titleFromFilename(".webm")).toBe(".webm");
  });
});

describe("runtime config", () => {
  it("takes the API URL from config.js, without a trailing slash", () => {
    expect(apiBaseUrl({ apiUrl: "https://videos.example.org/" })).toBe("https://videos.example.org");
    expect(apiBaseUrl({ apiUrl: "  " })).toBe(DEFAULT_API_URL);
    expect(apiBaseUrl(undefined)).toBe(DEFAULT_API_URL);
  });

  it("sends resumable uploads in 8 MiB requests unless config.js sets a size (not below 16 KiB)", () => {
    expect(uploadChunkBytes(undefined)).toBe(DEFAULT_UPLOAD_CHUNK_BYTES);
    expect(DEFAULT_UPLOAD_CHUNK_BYTES).toBe(8 * 1024 * 1024);
    expect(uploadChunkBytes({ uploadChunkBytes: 1024 * 1024 })).toBe(1024 * 1024);
    expect(uploadChunkBytes({ uploadChunkBytes: 10 })).toBe(16 * 1024);
    expect(uploadChunkBytes({ uploadChunkBytes: Number.NaN })).toBe(DEFAULT_UPLOAD_CHUNK_BYTES);
  });

  it("prefixes the API's relative stream URLs with the API base", () => {
    expect(apiUrl("/api/v1/videos/1/stream?token=a", "http://127.0.0.1:8000")).toBe(
      "http://127.0.0.1:8000/api/v1/videos/1/stream?token=a",
    );
    expect(apiUrl("/api/v1/x", "https://host.example/vidvault")).toBe("https://host.example/api/v1/x");
  });
});

describe("formatDuration", () => {
  it("shows minutes and seconds, and hours only when there are some", () => {
    expect(formatDuration(0)).toBe("0:00");
    expect(formatDuration(42.4)).toBe("0:42");
    expect(formatDuration(187)).toBe("3:07");
    expect(formatDuration(3723)).toBe("1:02:03");
  });
});
