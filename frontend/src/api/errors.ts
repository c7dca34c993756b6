/** API failures in words a person can act on; nothing is swallowed. */
import { formatBytes } from "../lib/format";

export type Action =
  | "signup"
  | "login"
  | "logout"
  | "list"
  | "load"
  | "upload"
  | "rename"
  | "delete"
  | "password"
  | "delete-account"
  | "share"
  | "shared";

export const NETWORK_DOWN =
  "Cannot reach the Vidvault server. Check your connection (or that the server is running) and try again.";
export const SHARED_LINK_GONE =
  "This link is no longer valid. It may have been revoked or have expired, or the video was deleted.";
export const SESSION_EXPIRED = "Your session has expired. Log in again to continue.";

/** Plain words for each form field the server refused, by field name ("email", "password", "title"). */
export type FieldErrors = Partial<Record<string, string>>;

/**
 * A failed API call: `status` is null when no HTTP response arrived at all;
 * `fields` says what was wrong with each refused field, for forms to show beside it.
 */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    message: string,
    readonly status: number | null,
    readonly fields: FieldErrors = {},
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
  type?: unknown;
  ctx?: unknown;
}

/** The form field an issue is about ("username" is the login form's email), or null for the body. */
function issueField(loc: unknown): string | null {
  if (!Array.isArray(loc)) return null;
  const last: unknown = loc[loc.length - 1];
  if (typeof last !== "string" || last === "body") return null;
  return last === "username" ? "email" : last;
}

function limit(ctx: unknown, key: string): number | null {
  if (typeof ctx !== "object" || ctx === null || !(key in ctx)) return null;
  const value: unknown = (ctx as Record<string, unknown>)[key];
  return typeof value === "number" ? value : null;
}

/** One validation issue in plain words, never the validator's own text. */
function plainIssue(field: string | null, issue: ValidationIssue): string {
  const atLeast = limit(issue.ctx, "min_length");
  const atMost = limit(issue.ctx, "max_length");
  if (issue.type === "missing") return "This is required.";
  if (issue.type === "string_too_short" && atLeast !== null) return `Use at least ${atLeast} characters.`;
  if (issue.type === "string_too_long" && atMost !== null) return `Use at most ${atMost} characters.`;
  if (field === "email") return "Enter an email address like name@example.com.";
  return "This value is not accepted.";
}

function validationIssues(body: unknown): ValidationIssue[] {
  if (typeof body !== "object" || body === null || !("detail" in body)) return [];
  const { detail } = body;
  return Array.isArray(detail) ? (detail as ValidationIssue[]) : [];
}

/** Each refused field of a 422 body, in plain words. */
export function fieldErrors(body: unknown): FieldErrors {
  const fields: FieldErrors = {};
  for (const issue of validationIssues(body)) {
    const field = issueField(issue.loc);
    if (field && !fields[field]) fields[field] = plainIssue(field, issue);
  }
  return fields;
}

function capitalised(field: string): string {
  return field.charAt(0).toUpperCase() + field.slice(1).replace(/_/g, " ");
}

/** The `detail` of FastAPI's error body, as text: a string, or validation issues in plain words. */
export function detailText(body: unknown): string | null {
  if (typeof body !== "object" || body === null || !("detail" in body)) return null;
  const { detail } = body;
  if (typeof detail === "string") return detail;
  const issues = validationIssues(body);
  if (issues.length === 0) return null;
  return issues
    .map((issue) => {
      const field = issueField(issue.loc);
      const words = plainIssue(field, issue);
      return field ? `${capitalised(field)}: ${words.charAt(0).toLowerCase()}${words.slice(1)}` : words;
    })
    .join(" ");
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
    case 403:
      return action === "password" || action === "delete-account"
        ? "That is not your current password."
        : (detail ?? "You are not allowed to do this.");
    case 404:
      if (action === "shared") return SHARED_LINK_GONE;
      return action === "list" ? "The library could not be found." : "This video does not exist (it may have been deleted).";
    case 409:
      return action === "signup"
        ? "An account with this email already exists. Log in instead, or use another email."
        : (detail ?? "This conflicts with the current state. Reload and try again.");
    case 413:
      return detail?.includes("quota")
        ? `There is not enough room left in your storage for this file.${uploadLimit(detail)}`
        : `This file is too large to upload.${uploadLimit(detail)}`;
    case 415:
      return "This file is not a video Vidvault can store. Upload an MP4, QuickTime, WebM, Matroska, Ogg or AVI file.";
    case 422:
      return detail ? `Please check your input. ${detail}` : "Please check your input.";
    case 429:
      if (action === "shared") return `Too many requests from this network. ${retryHint(retryAfter)} and try again.`;
      return action === "signup"
        ? `Too many accounts were created from this network. ${retryHint(retryAfter)} and try again.`
        : `Too many failed login attempts. ${retryHint(retryAfter)} and try again.`;
    case 503:
      return "The server is temporarily unavailable (its database cannot be reached). Try again shortly.";
    default:
      if (status >= 500) return `The server ran into a problem (HTTP ${status}). Try again in a moment.`;
      return detail ? `${detail} (HTTP ${status}).` : `The request failed (HTTP ${status}).`;
  }
}
