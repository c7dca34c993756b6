/**
 * Where a moment's frame is in a storyboard sprite. The worker lays tiles out
 * row by row, `columns` to a row, and tile i shows the video at
 * i * interval_seconds (see the API's StoryboardOut).
 */
import type { Storyboard } from "../api/client";

/** A preview no larger than this, whatever the video's shape (a portrait tile is tall). */
export const PREVIEW_MAX = { width: 160, height: 120 } as const;

export interface TileView {
  index: number;
  /** The preview's size on screen, in CSS pixels. */
  width: number;
  height: number;
  /** The sprite scaled to the preview, and where the tile sits in it. */
  backgroundSize: string;
  backgroundPosition: string;
}

/** The tile nearest to `seconds`: at most half an interval away from the moment under the pointer. */
export function tileIndexAt(board: Storyboard, seconds: number): number {
  if (board.count <= 0 || !(board.interval_seconds > 0) || !Number.isFinite(seconds)) return 0;
  return Math.min(board.count - 1, Math.max(0, Math.round(seconds / board.interval_seconds)));
}

export function tileView(board: Storyboard, seconds: number): TileView {
  const index = tileIndexAt(board, seconds);
  const scale = Math.min(1, PREVIEW_MAX.width / board.tile_width, PREVIEW_MAX.height / board.tile_height);
  const [width, height] = [board.tile_width * scale, board.tile_height * scale];
  const column = index % board.columns;
  const row = Math.floor(index / board.columns);
  return {
    index,
    width,
    height,
    backgroundSize: `${board.columns * width}px ${board.rows * height}px`,
    backgroundPosition: `${-column * width}px ${-row * height}px`,
  };
}
