/** API failures in words a person can act on; nothing is swallowed. */
import { formatBytes } from "../lib/format";

export type Action = "signup" | "login" | "logout" | "list" | "load" | "upload" | "rename" | "delete";

export const NETWORK_DOWN =
  "Cannot reach the Vidvault server. Check your connection (or that the server is running) and try again.";
export const SESSION_EXPIRED = "Your session has expired. Log in again to continue.";

/** A failed API call: `status` is null when no HTTP response arrived at all. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

/** The words to show for a failure already described by the client (an ApiError's message). */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

interface ValidationIssue {
  loc?: unknown;
  msg?: unknown;
}

function fieldName(loc: unknown): string | null {
  if (!Array.isArray(loc)) return null;
  const last: unknown = loc[loc.length - 1];
  if (typeof last !== "string" || last === "body") return null;
  const name = last === "username" ? "email" : last;
  return name.charAt(0).toUpperCase() + name.slice(1).replace(/_/g, " ");
}

function describeIssue(issue: ValidationIssue): string {
  const message = typeof issue.msg === "string" ? issue.msg.replace(/^Value error, /, "") : "is invalid";
  const field = fieldName(issue.loc);
  return field ? `${field}: ${message}` : message;
}

/** The `detail` of FastAPI's error body, as text: a string, or validation issues joined. */
export function detailText(body: unknown): string | null {
  if (typeof body !== "object" || body === null || !("detail" in body)) return null;
  const { detail } = body;
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail) && detail.length > 0) {
    return detail.map((issue: ValidationIssue) => describeIssue(issue)).join(". ");
  }
  return null;
}

function uploadLimit(detail: string | null): string {
  const bytes = /(\d+)\s*bytes/.exec(detail ?? "")?.[1];
  return bytes ? ` The limit is ${formatBytes(Number(bytes))}.` : "";
}

function retryHint(retryAfterSeconds: string | null): string {
  const seconds = Number(retryAfterSeconds);
  if (!retryAfterSeconds || !Number.isFinite(seconds) || seconds <= 0) return "Wait a few minutes";
  const minutes = Math.ceil(seconds / 60);
  return minutes <= 1 ? "Wait a minute" : `Wait ${minutes} minutes`;
}

/** What went wrong, for the person who tried `action` and got HTTP `status`. */
export function describeFailure(
  action: Action,
  status: number,
  body: unknown,
  retryAfter: string | null = null,
): string {
  const detail = detailText(body);
  switch (status) {
    case 401:
      return action === "login" ? "Wrong email or password." : SESSION_EXPIRED;
    case 404:
      return action === "list" ? "The library could not be found." : "This video does not exist (it may have been deleted).";
    case 409:
      return action === "signup"
        ? "An account with this email already exists. Log in instead, or use another email."
        : (detail ?? "This conflicts with the current state. Reload and try again.");
    case 413:
      return `This file is too large to upload.${uploadLimit(detail)}`;
    case 415:
      return "This file is not a video Vidvault can store. Upload an MP4, QuickTime, WebM, Matroska, Ogg or AVI file.";
    case 422:
      return detail ? `Please check your input. ${detail}.`.replace(/\.\.$/, ".") : "Please check your input.";
    case 429:
      return `Too many failed login attempts. ${retryHint(retryAfter)} and try again.`;
    case 503:
      return "The server is temporarily unavailable (its database cannot be reached). Try again shortly.";
    default:
      if (status >= 500) return `The server ran into a problem (HTTP ${status}). Try again in a moment.`;
      return detail ? `${detail} (HTTP ${status}).` : `The request failed (HTTP ${status}).`;
  }
}
