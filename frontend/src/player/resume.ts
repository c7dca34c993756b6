/**
 * Where each video was left, kept in this browser (localStorage: a playback
 * position is no secret, and it should outlive the tab and the session).
 */
const PREFIX = "vidvault.position.";
/** Too close to either end to be worth offering: the start, or the credits (a tenth of a short clip). */
export const RESUME_MARGIN_SECONDS = 5;

function marginFor(duration: number): number {
  return Number.isFinite(duration) ? Math.min(RESUME_MARGIN_SECONDS, duration / 10) : RESUME_MARGIN_SECONDS;
}

export function savedPosition(videoId: string, storage: Storage | null = globalThis.localStorage): number | null {
  const value = Number(storage?.getItem(PREFIX + videoId));
  return Number.isFinite(value) && value > 0 ? value : null;
}

export function savePosition(videoId: string, seconds: number, duration: number, storage: Storage | null = globalThis.localStorage): void {
  if (!storage) return;
  const margin = marginFor(duration);
  const worthKeeping = seconds >= margin && (!Number.isFinite(duration) || seconds < duration - margin);
  if (worthKeeping) storage.setItem(PREFIX + videoId, seconds.toFixed(1));
  else storage.removeItem(PREFIX + videoId);
}

/** The position to offer on opening the video, if any. */
export function resumePoint(videoId: string, duration: number, storage: Storage | null = globalThis.localStorage): number | null {
  const saved = savedPosition(videoId, storage);
  const margin = marginFor(duration);
  if (saved === null || saved < margin) return null;
  return Number.isFinite(duration) && saved >= duration - margin ? null : saved;
}
