import { beforeEach, describe, expect, it } from "vitest";
import { resumePoint, savedPosition, savePosition } from "./resume";

describe("resume positions", () => {
  beforeEach(() => {
    localStorage.clear();
  });

  it("offers a position in the middle of the video", () => {
    savePosition("v1", 42.34, 120);
    expect(savedPosition("v1")).toBe(42.3);
    expect(resumePoint("v1", 120)).toBe(42.3);
  });

  it("forgets positions too close to the start or the end", () => {
    savePosition("v1", 42, 120);
    savePosition("v1", 3, 120);
    expect(resumePoint("v1", 120)).toBeNull();
    savePosition("v2", 118, 120);
    expect(savedPosition("v2")).toBeNull();
  });

  it("scales the margins down for a short clip", () => {
    savePosition("v4", 2, 4);
    expect(resumePoint("v4", 4)).toBe(2);
    savePosition("v4", 3.9, 4);
    expect(resumePoint("v4", 4)).toBeNull();
  });

  it("ignores junk in storage", () => {
    localStorage.setItem("vidvault.position.v3", "soon");
    expect(resumePoint("v3", 120)).toBeNull();
  });
});
