/** Runtime settings from /config.js, so one build can talk to any API. */
declare global {
  interface Window {
    VIDVAULT_CONFIG?: { apiUrl?: string; uploadChunkBytes?: number };
  }
}

export const DEFAULT_API_URL = "http://127.0.0.1:8000";

export function apiBaseUrl(config = window.VIDVAULT_CONFIG): string {
  const configured = config?.apiUrl?.trim();
  return (configured || DEFAULT_API_URL).replace(/\/+$/, "");
}

/** An absolute URL for a path the API returned (such as a video's stream_url). */
export function apiUrl(path: string, base = apiBaseUrl()): string {
  return new URL(path, `${base}/`).toString();
}

/**
 * The bytes of one resumable upload request (a tus PATCH). 8 MiB is what
 * the server is benchmarked with: few requests per file, and a dropped
 * connection costs at most that much again. A deployment behind a proxy that
 * caps request bodies sets a smaller size in config.js.
 */
export const DEFAULT_UPLOAD_CHUNK_BYTES = 8 * 1024 * 1024;
const MIN_UPLOAD_CHUNK_BYTES = 16 * 1024;

export function uploadChunkBytes(config = window.VIDVAULT_CONFIG): number {
  const configured = config?.uploadChunkBytes;
  if (typeof configured !== "number" || !Number.isSafeInteger(configured)) return DEFAULT_UPLOAD_CHUNK_BYTES;
  return Math.max(MIN_UPLOAD_CHUNK_BYTES, configured);
}
