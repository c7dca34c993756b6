/** The upload queue as a pure reducer: files are added, then sent one at a time. */
import type { Video } from "../api/client";
import { titleFromFilename } from "../lib/format";
import type { UploadProgress } from "./request";

export type UploadStatus = "ready" | "queued" | "uploading" | "done" | "failed" | "cancelled";

export interface UploadItem {
  id: string;
  file: File;
  title: string;
  status: UploadStatus;
  progress: UploadProgress | null;
  error: string | null;
  /** Whether trying again can help (a network or server failure, or a cancel). */
  retryable: boolean;
  video: Video | null;
}

export type QueueAction =
  | { type: "add"; files: File[]; ids: string[] }
  | { type: "title"; id: string; title: string }
  | { type: "start" }
  | { type: "begin"; id: string }
  | { type: "progress"; id: string; progress: UploadProgress }
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

function update(items: UploadItem[], id: string, change: (item: UploadItem) => UploadItem): UploadItem[] {
  return items.map((item) => (item.id === id ? change(item) : item));
}

export function queueReducer(items: UploadItem[], action: QueueAction): UploadItem[] {
  switch (action.type) {
    case "add":
      return [
        ...items,
        ...action.files.map((file, index) => ({
          id: action.ids[index] ?? `${file.name}-${index}`,
          file,
          title: titleFromFilename(file.name),
          status: "ready" as const,
          progress: null,
          error: null,
          retryable: false,
          video: null,
        })),
      ];
    case "title":
      return update(items, action.id, (item) => (item.status === "ready" ? { ...item, title: action.title } : item));
    case "start":
      return items.map((item) => (item.status === "ready" ? { ...item, status: "queued" } : item));
    case "begin":
      return update(items, action.id, (item) => ({ ...item, status: "uploading", error: null }));
    case "progress":
      return update(items, action.id, (item) =>
        item.status === "uploading" ? { ...item, progress: action.progress } : item,
      );
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
