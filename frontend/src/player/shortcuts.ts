/**
 * The player's keyboard shortcuts, as the big video sites have taught them:
 * space/k play and pause, j/l 10 s, arrows 5 s, f full screen, m mute,
 * 0–9 that tenth of the video. A pure mapping, so it is tested without a browser.
 */
export type PlayerCommand =
  | { type: "toggle-play" }
  | { type: "seek-by"; seconds: number }
  | { type: "seek-to-fraction"; fraction: number }
  | { type: "toggle-fullscreen" }
  | { type: "toggle-mute" };

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
}

export const SEEK_SHORT = 5;
export const SEEK_LONG = 10;

export function commandFor(event: KeyLike): PlayerCommand | null {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  switch (event.key.length === 1 ? event.key.toLowerCase() : event.key) {
    case " ":
    case "k":
      return { type: "toggle-play" };
    case "j":
      return { type: "seek-by", seconds: -SEEK_LONG };
    case "l":
      return { type: "seek-by", seconds: SEEK_LONG };
    case "ArrowLeft":
      return { type: "seek-by", seconds: -SEEK_SHORT };
    case "ArrowRight":
      return { type: "seek-by", seconds: SEEK_SHORT };
    case "f":
      return { type: "toggle-fullscreen" };
    case "m":
      return { type: "toggle-mute" };
    default:
      return /^[0-9]$/.test(event.key) ? { type: "seek-to-fraction", fraction: Number(event.key) / 10 } : null;
  }
}

/**
 * Whether a key pressed on `target` belongs to that element rather than to the
 * player: typing in a field, choosing in a list, or pressing a button with space.
 */
export function keyBelongsToTarget(target: EventTarget | null, key: string): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target.closest("dialog[open]")) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return target.type !== "range";
  const activatable = target instanceof HTMLButtonElement || target instanceof HTMLAnchorElement || target.getAttribute("role") === "button";
  return activatable && (key === " " || key === "Enter");
}
