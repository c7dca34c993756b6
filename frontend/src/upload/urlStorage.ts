/**
 * Where the addresses of unfinished resumable uploads are kept across page
 * reloads (localStorage), for tus-js-client to resume from: one entry per
 * account and file, holding the upload's URL and size only.
 *
 * The fingerprint folds the account in, so another account signed in to the
 * same browser never finds (or sends) someone else's upload URL; names and
 * titles are not written, so the entries say nothing of what was uploaded.
 * The server's ownership check is what protects an upload: its URL alone is
 * useless without the owner's token.
 */
import type { PreviousUpload, UrlStorage } from "tus-js-client";
import { fileKey } from "./accept";

const PREFIX = "vidvault.upload::";
/**
 * An entry this old is dropped even if its file was never chosen again. The
 * server expires an untouched upload after a day by default
 * (UPLOAD_EXPIRY_SECONDS); a week leaves room for a longer setting, and an
 * entry dropped too early only means the file starts over.
 */
export const STALE_AFTER_MS = 7 * 24 * 3600 * 1000;

/** A short, stable hash (cyrb53): keeps emails and file names out of storage keys. */
export function hashText(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    h1 = Math.imul(h1 ^ code, 2654435761);
    h2 = Math.imul(h2 ^ code, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** The same file (name, size, modification time) sent by the same account to the same server. */
export function uploadFingerprint(account: string, file: File, endpoint: string): string {
  return hashText([account, endpoint, fileKey(file)].join("\u0000"));
}

interface StoredUpload {
  size: number | null;
  creationTime: string;
  uploadUrl: string | null;
}

function isStoredUpload(value: unknown): value is StoredUpload {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Record<string, unknown>;
  return typeof entry.uploadUrl === "string" && typeof entry.creationTime === "string";
}

export class AccountUrlStorage implements UrlStorage {
  constructor(private readonly storage: Storage | null = safeLocalStorage()) {}

  findAllUploads(): Promise<PreviousUpload[]> {
    return Promise.resolve(this.entries(PREFIX));
  }

  findUploadsByFingerprint(fingerprint: string): Promise<PreviousUpload[]> {
    return Promise.resolve(this.entries(`${PREFIX}${fingerprint}::`));
  }

  removeUpload(urlStorageKey: string): Promise<void> {
    this.storage?.removeItem(urlStorageKey);
    return Promise.resolve();
  }

  /** Every entry of this fingerprint, readable or not: a finished or cancelled upload leaves none behind. */
  removeFingerprint(fingerprint: string): Promise<void> {
    for (const key of this.keys(`${PREFIX}${fingerprint}::`)) this.storage?.removeItem(key);
    return Promise.resolve();
  }

  /** Drops entries older than `maxAgeMs`, and any that cannot be read. */
  forgetStale(now = Date.now(), maxAgeMs = STALE_AFTER_MS): void {
    for (const key of this.keys(PREFIX)) {
      const entry = parse(this.storage?.getItem(key) ?? null);
      const created = entry ? Date.parse(entry.creationTime) : Number.NaN;
      if (!(now - created <= maxAgeMs)) this.storage?.removeItem(key);
    }
  }

  addUpload(fingerprint: string, upload: PreviousUpload): Promise<string> {
    const key = `${PREFIX}${fingerprint}::${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
    const entry: StoredUpload = { size: upload.size, creationTime: upload.creationTime, uploadUrl: upload.uploadUrl };
    try {
      this.storage?.setItem(key, JSON.stringify(entry));
    } catch {
      // Storage full or refused: the upload still runs, it just cannot resume after a reload.
    }
    return Promise.resolve(key);
  }

  private keys(prefix: string): string[] {
    const storage = this.storage;
    if (!storage) return [];
    return Array.from({ length: storage.length }, (_, index) => storage.key(index)).filter(
      (key): key is string => key?.startsWith(prefix) ?? false,
    );
  }

  private entries(prefix: string): PreviousUpload[] {
    const found: PreviousUpload[] = [];
    for (const key of this.keys(prefix)) {
      const entry = parse(this.storage?.getItem(key) ?? null);
      if (entry) found.push({ ...entry, metadata: {}, urlStorageKey: key, parallelUploadUrls: null });
    }
    return found.sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime));
  }
}

function parse(text: string | null): StoredUpload | null {
  try {
    const value: unknown = JSON.parse(text ?? "null");
    return isStoredUpload(value) ? value : null;
  } catch {
    return null;
  }
}

/** localStorage, or null where the browser refuses it (a sandboxed frame, some private modes). */
function safeLocalStorage(): Storage | null {
  try {
    return globalThis.localStorage;
  } catch {
    return null;
  }
}
