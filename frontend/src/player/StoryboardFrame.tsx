import type { Storyboard } from "../api/client";
import { tileView } from "./storyboard";

/** The storyboard tile for a moment, cut out of the sprite (`spriteUrl`: absolute, tokenised). */
export function StoryboardFrame({ board, spriteUrl, seconds }: { board: Storyboard; spriteUrl: string; seconds: number }) {
  const view = tileView(board, seconds);
  return (
    <span
      className="seek-frame"
      data-testid="storyboard-preview"
      data-tile={view.index}
      style={{
        width: `${view.width}px`,
        height: `${view.height}px`,
        backgroundImage: `url("${spriteUrl}")`,
        backgroundSize: view.backgroundSize,
        backgroundPosition: view.backgroundPosition,
      }}
    />
  );
}
