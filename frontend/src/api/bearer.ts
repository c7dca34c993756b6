/**
 * How every API request is authenticated, whatever sends it (the typed
 * client's fetch, or the resumable upload's XMLHttpRequests): the live
 * session's token as a Bearer header, and a 401 to a request that carried it
 * ends the session as expired, which sends the person to the login page.
 */
import type { SessionStore } from "../auth/session";

/** The Authorization header value for the live session, or null without one. */
export function bearerHeader(sessions: SessionStore): string | null {
  const session = sessions.get();
  return session ? `Bearer ${session.token}` : null;
}

/**
 * Ends the session when the API refused the token a request sent; returns
 * whether it did. A 401 to a request without a token (a wrong password at
 * login) is that request's own answer, not a lost session.
 */
export function endSessionIfRefused(sessions: SessionStore, status: number, sentToken: boolean): boolean {
  if (status !== 401 || !sentToken) return false;
  sessions.end("expired");
  return true;
}
