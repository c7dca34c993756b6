/**
 * The upload queue as a pure reducer: added files queue at once and are sent
 * one at a time. A paused upload lets the next one go; resumed, it queues
 * again and continues from where the server stopped.
 */
import type { Video } from "../api/client";
import { titleFromFilename } from "../lib/format";
import { extensionOf } from "./accept";
import type { UploadProgress } from "./progress";
import type { Connection } from "./resumable";

export type UploadStatus = "queued" | "uploading" | "paused" | "done" | "failed" | "cancelled";

export interface UploadItem {
  id: string;
  file: File;
  title: string;
  /** Whether the person typed the title: a default one may still gain the file's format to tell it apart. */
  titleEdited: boolean;
  status: UploadStatus;
  progress: UploadProgress | null;
  /** While uploading: sending, about to try again after a failed request, or waiting for the network. */
  connection: Connection;
  error: string | null;
  /** Whether trying again can help (a network or server failure, or a cancel). */
  retryable: boolean;
  video: Video | null;
}

export type QueueAction =
  | { type: "add"; files: File[]; ids: string[] }
  | { type: "title"; id: string; title: string }
  | { type: "begin"; id: string }
  | { type: "progress"; id: string; progress: UploadProgress }
  | { type: "connection"; id: string; connection: Connection }
  | { type: "pause"; id: string }
  | { type: "resume"; id: string }
  | { type: "done"; id: string; video: Video }
  | { type: "failed"; id: string; error: string; retryable: boolean }
  | { type: "cancelled"; id: string }
  | { type: "retry"; id: string }
  | { type: "remove"; id: string }
  | { type: "clear-finished" };

const FINISHED: ReadonlySet<UploadStatus> = new Set(["done", "failed", "cancelled"]);

export function isFinished(item: UploadItem): boolean {
  return FINISHED.has(item.status);
}

/** Still in the person's hands: the title can change until the video is stored. */
export function isPending(item: UploadItem): boolean {
  return item.status === "queued" || item.status === "uploading" || item.status === "paused";
}

function stemOf(name: string): string {
  return titleFromFilename(name).toLowerCase();
}

/**
 * Default titles that would be the same ("clip" for clip.mp4 and clip.avi)
 * get the format: "clip (MP4)", "clip (AVI)". Titles someone typed stay.
 */
function distinguishTitles(items: UploadItem[]): UploadItem[] {
  const stems = new Map<string, number>();
  for (const item of items) stems.set(stemOf(item.file.name), (stems.get(stemOf(item.file.name)) ?? 0) + 1);
  return items.map((item) => {
    if (item.titleEdited || !isPending(item) || (stems.get(stemOf(item.file.name)) ?? 0) < 2) return item;
    const format = extensionOf(item.file.name).slice(1).toUpperCase();
    return format ? { ...item, title: `${titleFromFilename(item.file.name)} (${format})` } : item;
  });
}

function update(items: UploadItem[], id: string, change: (item: UploadItem) => UploadItem): UploadItem[] {
  return items.map((item) => (item.id === id ? change(item) : item));
}

export function queueReducer(items: UploadItem[], action: QueueAction): UploadItem[] {
  switch (action.type) {
    case "add":
      return distinguishTitles([
        ...items,
        ...action.files.map((file, index) => ({
          id: action.ids[index] ?? `${file.name}-${index}`,
          file,
          title: titleFromFilename(file.name),
          titleEdited: false,
          status: "queued" as const,
          progress: null,
          connection: "ok" as const,
          error: null,
          retryable: false,
          video: null,
        })),
      ]);
    case "title":
      return update(items, action.id, (item) =>
        isPending(item) ? { ...item, title: action.title, titleEdited: true } : item,
      );
    case "begin":
      return update(items, action.id, (item) => ({ ...item, status: "uploading", connection: "ok", error: null }));
    case "progress":
      return update(items, action.id, (item) =>
        item.status === "uploading" ? { ...item, progress: action.progress } : item,
      );
    case "connection":
      return update(items, action.id, (item) =>
        item.status === "uploading" && item.connection !== action.connection ? { ...item, connection: action.connection } : item,
      );
    case "pause":
      return update(items, action.id, (item) =>
        item.status === "uploading" || item.status === "queued" ? { ...item, status: "paused" } : item,
      );
    case "resume":
      return update(items, action.id, (item) => (item.status === "paused" ? { ...item, status: "queued" } : item));
    case "done":
      return update(items, action.id, (item) => ({
        ...item,
        status: "done",
        video: action.video,
        progress: item.progress && { ...item.progress, loaded: item.progress.total, percent: 100 },
      }));
    case "failed":
      return update(items, action.id, (item) => ({
        ...item,
        status: "failed",
        error: action.error,
        retryable: action.retryable,
      }));
    case "cancelled":
      return update(items, action.id, (item) => ({ ...item, status: "cancelled", progress: null, retryable: true }));
    case "retry":
      return update(items, action.id, (item) =>
        item.retryable ? { ...item, status: "queued", error: null, progress: null, retryable: false } : item,
      );
    case "remove":
      return items.filter((item) => item.id !== action.id || item.status === "uploading");
    case "clear-finished":
      return items.filter((item) => !isFinished(item));
  }
}

/** The next item to send: none while one is in flight (uploads go one at a time). */
export function nextToUpload(items: UploadItem[]): UploadItem | null {
  if (items.some((item) => item.status === "uploading")) return null;
  return items.find((item) => item.status === "queued") ?? null;
}
