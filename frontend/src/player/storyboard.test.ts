import { describe, expect, it } from "vitest";
import type { Storyboard } from "../api/client";
import { tileIndexAt, tileView } from "./storyboard";

// 100 tiles of a 200-second landscape video, as the worker makes them: 10 to a row.
const BOARD: Storyboard = {
  sprite_url: "/api/v1/videos/x/storyboard/sprite?token=t",
  sprite_content_type: "image/webp",
  tile_width: 160,
  tile_height: 90,
  columns: 10,
  rows: 10,
  count: 100,
  interval_seconds: 2,
};

describe("tileIndexAt", () => {
  it("picks the tile whose moment is nearest", () => {
    expect(tileIndexAt(BOARD, 0)).toBe(0);
    expect(tileIndexAt(BOARD, 0.9)).toBe(0);
    expect(tileIndexAt(BOARD, 1.1)).toBe(1);
    expect(tileIndexAt(BOARD, 24)).toBe(12);
  });

  it("stays within the sprite at and past the ends", () => {
    expect(tileIndexAt(BOARD, 200)).toBe(99);
    expect(tileIndexAt(BOARD, 1e6)).toBe(99);
    expect(tileIndexAt(BOARD, -5)).toBe(0);
    expect(tileIndexAt(BOARD, Number.NaN)).toBe(0);
  });

  it("handles a short clip's one-row sprite", () => {
    const short = { ...BOARD, columns: 4, rows: 1, count: 4, interval_seconds: 0.5 };
    expect(tileIndexAt(short, 1.6)).toBe(3);
  });
});

describe("tileView", () => {
  it("shows a landscape tile at its own size, offset by row and column", () => {
    const view = tileView(BOARD, 24); // tile 12: row 1, column 2
    expect(view).toEqual({
      index: 12,
      width: 160,
      height: 90,
      backgroundSize: "1600px 900px",
      backgroundPosition: "-320px -90px",
    });
  });

  it("scales a portrait tile down to fit, sprite and offsets alike", () => {
    const portrait = { ...BOARD, tile_height: 284, rows: 10 };
    const view = tileView(portrait, 2 * 57); // tile 57: row 5, column 7
    const scale = 120 / 284;
    expect(view.height).toBeCloseTo(120);
    expect(view.width).toBeCloseTo(160 * scale);
    expect(view.backgroundPosition).toBe(`${-7 * 160 * scale}px ${-5 * 120}px`);
    expect(view.backgroundSize).toBe(`${10 * 160 * scale}px ${10 * 120}px`);
  });
});
