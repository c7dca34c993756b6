import { describe, expect, it } from "vitest";
import { SessionStore } from "../auth/session";
import { bearerHeader, endSessionIfRefused } from "./bearer";

describe("bearer", () => {
  it("gives the live session's token, and none without a session", () => {
    const sessions = new SessionStore(null);
    expect(bearerHeader(sessions)).toBeNull();
    sessions.start("tok", "me@example.com", 3600);
    expect(bearerHeader(sessions)).toBe("Bearer tok");
  });

  it("ends the session on a 401 to a request that sent the token, and only then", () => {
    const sessions = new SessionStore(null);
    sessions.start("tok", "me@example.com", 3600);
    expect(endSessionIfRefused(sessions, 401, false)).toBe(false);
    expect(endSessionIfRefused(sessions, 403, true)).toBe(false);
    expect(sessions.get()).not.toBeNull();
    expect(endSessionIfRefused(sessions, 401, true)).toBe(true);
    expect(sessions.get()).toBeNull();
    expect(sessions.endReason()).toBe("expired");
  });
});
