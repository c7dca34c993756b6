import { afterEach, describe, expect, it } from "vitest";
import { AccountUrlStorage, hashText, STALE_AFTER_MS, uploadFingerprint } from "./urlStorage";

const file = (name = "trip.webm", lastModified = 1) => new File(["abc"], name, { lastModified });
const entry = (uploadUrl: string, creationTime: string) => ({
  size: 3,
  metadata: { filename: "trip.webm", title: "My trip" },
  creationTime,
  urlStorageKey: "",
  uploadUrl,
  parallelUploadUrls: null,
});

afterEach(() => {
  localStorage.clear();
});

describe("uploadFingerprint", () => {
  it("is the same for the same account, file and server, and differs for another of any", () => {
    const mine = uploadFingerprint("me@example.com", file(), "http://api");
    expect(uploadFingerprint("me@example.com", file(), "http://api")).toBe(mine);
    expect(uploadFingerprint("you@example.com", file(), "http://api")).not.toBe(mine);
    expect(uploadFingerprint("me@example.com", file("trip.webm", 2), "http://api")).not.toBe(mine);
    expect(uploadFingerprint("me@example.com", file(), "http://other")).not.toBe(mine);
    expect(mine).not.toMatch(/me|trip/);
    expect(hashText("a")).not.toBe(hashText("b"));
  });
});

describe("AccountUrlStorage", () => {
  it("finds the newest upload of a fingerprint first, and keeps no names or titles", async () => {
    const storage = new AccountUrlStorage(localStorage);
    await storage.addUpload("fp", entry("http://api/u/old", new Date(1000).toString()));
    await storage.addUpload("fp", entry("http://api/u/new", new Date(5000).toString()));
    await storage.addUpload("other", entry("http://api/u/x", new Date(9000).toString()));
    const found = await storage.findUploadsByFingerprint("fp");
    expect(found.map((upload) => upload.uploadUrl)).toEqual(["http://api/u/new", "http://api/u/old"]);
    expect(found[0]?.metadata).toEqual({});
    expect(JSON.stringify(localStorage)).not.toMatch(/trip|My trip/);
    expect(await storage.findAllUploads()).toHaveLength(3);
  });

  it("forgets every entry of a fingerprint, and skips entries it cannot read", async () => {
    const storage = new AccountUrlStorage(localStorage);
    await storage.addUpload("fp", entry("http://api/u/1", new Date().toString()));
    await storage.addUpload("fp", entry("http://api/u/2", new Date().toString()));
    localStorage.setItem("vidvault.upload::fp::broken", "{not json");
    expect(await storage.findUploadsByFingerprint("fp")).toHaveLength(2);
    await storage.removeFingerprint("fp");
    expect(await storage.findUploadsByFingerprint("fp")).toEqual([]);
    expect(localStorage.length).toBe(0);
  });

  it("drops entries past their age and unreadable ones, keeps the rest", async () => {
    const storage = new AccountUrlStorage(localStorage);
    const now = Date.parse("2026-06-10T12:00:00Z");
    await storage.addUpload("old", entry("http://api/u/old", new Date(now - STALE_AFTER_MS - 1000).toString()));
    await storage.addUpload("recent", entry("http://api/u/recent", new Date(now - 3600_000).toString()));
    localStorage.setItem("vidvault.upload::x::broken", "{not json");
    localStorage.setItem("someone-else's-key", "kept");
    storage.forgetStale(now);
    expect((await storage.findAllUploads()).map((upload) => upload.uploadUrl)).toEqual(["http://api/u/recent"]);
    expect(localStorage.getItem("someone-else's-key")).toBe("kept");
    expect(localStorage.length).toBe(2);
  });

  it("still answers without storage (a browser that refuses it): nothing to resume", async () => {
    const storage = new AccountUrlStorage(null);
    await storage.addUpload("fp", entry("http://api/u/1", new Date().toString()));
    expect(await storage.findUploadsByFingerprint("fp")).toEqual([]);
  });
});
