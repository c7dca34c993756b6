/** Runtime settings from /config.js, so one build can talk to any API. */
declare global {
  interface Window {
    VIDVAULT_CONFIG?: { apiUrl?: string };
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
