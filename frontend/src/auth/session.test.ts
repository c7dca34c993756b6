import { describe, expect, it, vi } from "vitest";
import { SessionStore } from "./session";

describe("SessionStore", () => {
  it("keeps the token in memory and sessionStorage, never localStorage", () => {
    const store = new SessionStore(sessionStorage);
    store.start("tok", "me@example.com", 60);
    expect(store.get()?.token).toBe("tok");
    expect(sessionStorage.getItem("vidvault.session")).toContain("tok");
    expect(localStorage.length).toBe(0);
    expect(new SessionStore(sessionStorage).get()?.email).toBe("me@example.com");
  });

  it("ends on logout, says why, and tells subscribers", () => {
    const store = new SessionStore(sessionStorage);
    const listener = vi.fn();
    store.subscribe(listener);
    store.start("tok", "me@example.com", 60);
    store.end("logout");
    expect(store.get()).toBeNull();
    expect(store.endReason()).toBe("logout");
    expect(sessionStorage.getItem("vidvault.session")).toBeNull();
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it("expires by the clock", () => {
    let now = 1_000_000;
    const store = new SessionStore(sessionStorage, () => now);
    store.start("tok", "me@example.com", 60);
    now += 61_000;
    expect(store.get()).toBeNull();
    expect(store.endReason()).toBe("expired");
    expect(store.expiredEmail()).toBe("me@example.com");
    expect(new SessionStore(sessionStorage, () => now).get()).toBeNull();
  });

  it("remembers whose session expired across a reload, but not after a logout", () => {
    let now = 1_000_000;
    new SessionStore(sessionStorage, () => now).start("tok", "me@example.com", 60);
    now += 61_000;
    const reloaded = new SessionStore(sessionStorage, () => now);
    expect(reloaded.get()).toBeNull();
    expect(reloaded.expiredEmail()).toBe("me@example.com");
    reloaded.start("tok2", "me@example.com", 60);
    reloaded.end("logout");
    expect(reloaded.expiredEmail()).toBeNull();
  });

  it("ignores a corrupt stored session", () => {
    sessionStorage.setItem("vidvault.session", "{not json");
    expect(new SessionStore(sessionStorage).get()).toBeNull();
    sessionStorage.setItem("vidvault.session", JSON.stringify({ token: 1 }));
    expect(new SessionStore(sessionStorage).get()).toBeNull();
  });
});
