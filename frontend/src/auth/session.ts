/**
 * The access token, kept in memory and mirrored to sessionStorage so a reload
 * keeps the user logged in within the tab, never in localStorage.
 */
export interface Session {
  token: string;
  email: string;
  expiresAt: number;
}

export type EndReason = "logout" | "expired" | "account-deleted";

const STORAGE_KEY = "vidvault.session";
/** Whose session expired: kept for this tab, so a reload of the login page still offers the email. */
const EXPIRED_KEY = "vidvault.expired";

function isSession(value: unknown): value is Session {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return (
    typeof candidate.token === "string" &&
    typeof candidate.email === "string" &&
    typeof candidate.expiresAt === "number"
  );
}

export class SessionStore {
  private current: Session | null;
  private ended: EndReason | null = null;
  private endedEmail: string | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly storage: Storage | null = globalThis.sessionStorage,
    private readonly now: () => number = Date.now,
  ) {
    this.current = this.restore();
    if (!this.current) this.restoreExpired();
  }

  /** The live session, or null once it has expired by the clock. */
  get = (): Session | null => {
    if (this.current && this.current.expiresAt <= this.now()) this.end("expired");
    return this.current;
  };

  /** Why the last session ended, until a new one starts. */
  endReason(): EndReason | null {
    return this.ended;
  }

  /** Whose session expired, so logging in again needs only the password. */
  expiredEmail(): string | null {
    return this.ended === "expired" ? this.endedEmail : null;
  }

  start(token: string, email: string, expiresInSeconds: number): void {
    this.current = { token, email, expiresAt: this.now() + expiresInSeconds * 1000 };
    this.ended = null;
    this.storage?.removeItem(EXPIRED_KEY);
    this.storage?.setItem(STORAGE_KEY, JSON.stringify(this.current));
    this.emit();
  }

  end(reason: EndReason): void {
    if (!this.current) return;
    this.endedEmail = this.current.email;
    this.current = null;
    this.ended = reason;
    this.storage?.removeItem(STORAGE_KEY);
    if (reason === "expired") this.storage?.setItem(EXPIRED_KEY, this.endedEmail);
    else this.storage?.removeItem(EXPIRED_KEY);
    this.emit();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private restoreExpired(): void {
    const email = this.storage?.getItem(EXPIRED_KEY) ?? null;
    if (!email) return;
    this.ended = "expired";
    this.endedEmail = email;
  }

  private emit(): void {
    for (const listener of this.listeners) listener();
  }

  private restore(): Session | null {
    try {
      const parsed: unknown = JSON.parse(this.storage?.getItem(STORAGE_KEY) ?? "null");
      if (!isSession(parsed)) return null;
      if (parsed.expiresAt > this.now()) return parsed;
      // Expired while the tab was closed or reloading: still say so, and whose it was.
      this.storage?.removeItem(STORAGE_KEY);
      this.storage?.setItem(EXPIRED_KEY, parsed.email);
      return null;
    } catch {
      return null;
    }
  }
}
