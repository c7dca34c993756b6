/**
 * Why the server would not give the player its bytes, in words. A <video>
 * only says that loading failed; asking for the first byte ourselves shows
 * the server's answer (a deleted video, a revoked link, a copy not made yet).
 */
import { describeFailure } from "../api/errors";

export const LINK_EXPIRED = "The permission to play this video has expired or was revoked. Reload the page to get a new one.";

/** Null when the server does serve the bytes (the trouble is then the browser's), or cannot be reached. */
export async function playbackRefusal(src: string, fetchImpl: typeof fetch = fetch): Promise<string | null> {
  let response: Response;
  try {
    // A tokenised URL: no Authorization header, and so no session to end on a 401.
    response = await fetchImpl(src, { headers: { Range: "bytes=0-0" } });
  } catch {
    return null;
  }
  if (response.ok) {
    await response.body?.cancel();
    return null;
  }
  if (response.status === 401) return LINK_EXPIRED;
  const body: unknown = await response.json().catch(() => null);
  return describeFailure("load", response.status, body);
}
