import { createContext, use, useCallback, useEffect, useMemo, useReducer, useRef, useState, type ReactNode } from "react";
import type { Api, Video } from "../api/client";
import { ApiError, errorText, isAbort } from "../api/errors";
import { useAuth } from "../auth/AuthContext";
import { uploadChunkBytes } from "../config";
import { useVideoAdded } from "../library/queries";
import { fileKey, refusalOf } from "./accept";
import { nextToUpload, queueReducer, type UploadItem } from "./queue";
import { ResumableUpload } from "./resumable";
import { AccountUrlStorage } from "./urlStorage";

/** A chosen file that was not queued, and why. */
export interface Refusal {
  name: string;
  reason: string;
}

interface UploadValue {
  items: UploadItem[];
  /** Files refused by the last choice (not videos, or already in the list). */
  refusals: Refusal[];
  /** Queues the videos among `files`, which start uploading at once. */
  addFiles: (files: File[]) => Promise<void>;
  setTitle: (id: string, title: string) => void;
  cancel: (id: string) => void;
  /** Stops sending; the server keeps what it has. */
  pause: (id: string) => void;
  /** Queues a paused upload again, to continue from the server's offset. */
  resume: (id: string) => void;
  retry: (id: string) => void;
  remove: (id: string) => void;
  clearFinished: () => void;
}

const UploadContext = createContext<UploadValue | null>(null);

/** No response, a server error or throttling: the same file may go through later. */
function isTransient(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true;
  return error.status === null || error.status >= 500 || error.status === 429;
}

/**
 * A title typed while the file was uploading reaches the server after it:
 * the upload carried the title it had when it started. A failed rename keeps
 * the video under its first title rather than failing the upload.
 */
async function applyLateTitle(api: Api, video: Video, item: UploadItem | undefined, resumedEarlier: boolean): Promise<Video> {
  const title = item?.title.trim();
  if (!title || title === video.title) return video;
  // Continued from before a reload: the title given then stands, unless one was typed since.
  if (resumedEarlier && !item?.titleEdited) return video;
  try {
    return await api.renameVideo(video.id, title);
  } catch {
    return video;
  }
}

let sequence = 0;
function newId(): string {
  sequence += 1;
  return `upload-${Date.now().toString(36)}-${sequence}`;
}

/** Asks before the page is left while an upload runs: leaving pauses it until the file is chosen again. */
function useWarnBeforeUnload(active: boolean) {
  useEffect(() => {
    if (!active) return;
    const warn = (event: BeforeUnloadEvent) => {
      // Every current browser asks on preventDefault; none shows a page's own text any more.
      event.preventDefault();
    };
    window.addEventListener("beforeunload", warn);
    return () => {
      window.removeEventListener("beforeunload", warn);
    };
  }, [active]);
}

async function sortChosen(files: File[], listed: UploadItem[]): Promise<{ accepted: File[]; refusals: Refusal[] }> {
  const seen = new Set(listed.map((item) => fileKey(item.file)));
  const accepted: File[] = [];
  const refusals: Refusal[] = [];
  for (const file of files) {
    const key = fileKey(file);
    let reason = seen.has(key) ? `${file.name} is already in the list.` : null;
    try {
      reason ??= await refusalOf(file);
    } catch {
      reason = `${file.name} could not be read.`;
    }
    if (reason) refusals.push({ name: file.name, reason });
    else accepted.push(file);
    seen.add(key);
  }
  return { accepted, refusals };
}

/** A paused upload waits here to be resumed; leaving the app stops every one (the server keeps their bytes). */
function useStopOnUnmount(transfers: Map<string, ResumableUpload>) {
  useEffect(
    () => () => {
      for (const transfer of transfers.values()) transfer.pause();
    },
    [transfers],
  );
}

/** Uploads keep going while the person browses the library or watches a video. */
export function UploadProvider({ children }: { children: ReactNode }) {
  const { api, sessions, session } = useAuth();
  const added = useVideoAdded();
  const [items, dispatch] = useReducer(queueReducer, []);
  const [refusals, setRefusals] = useState<Refusal[]>([]);
  const [transfers] = useState(() => new Map<string, ResumableUpload>());
  // The newest items for callbacks that outlive a render: a title typed during the upload.
  const latest = useRef(items);
  useEffect(() => {
    latest.current = items;
  }, [items]);
  useWarnBeforeUnload(items.some((item) => item.status === "uploading" || item.status === "queued"));
  useStopOnUnmount(transfers);
  useEffect(() => {
    new AccountUrlStorage().forgetStale();
  }, []);
  const account = session?.email ?? "";

  const next = nextToUpload(items);
  useEffect(() => {
    if (!next || !account) return;
    dispatch({ type: "begin", id: next.id });
    const paused = transfers.get(next.id);
    if (paused) {
      paused.resume();
      return;
    }
    const transfer = new ResumableUpload({
      baseUrl: api.baseUrl,
      sessions,
      account,
      file: next.file,
      title: next.title,
      chunkSize: uploadChunkBytes(),
      onProgress: (progress) => {
        dispatch({ type: "progress", id: next.id, progress });
      },
      onConnection: (connection) => {
        dispatch({ type: "connection", id: next.id, connection });
      },
    });
    transfers.set(next.id, transfer);
    transfer.done
      .then(async (videoId) => {
        const stored = await api.getVideo(videoId);
        const item = latest.current.find((candidate) => candidate.id === next.id);
        const video = await applyLateTitle(api, stored, item, transfer.resumedEarlierUpload);
        dispatch({ type: "done", id: next.id, video });
        added(video);
      })
      .catch((error: unknown) => {
        if (isAbort(error)) dispatch({ type: "cancelled", id: next.id });
        else dispatch({ type: "failed", id: next.id, error: errorText(error), retryable: isTransient(error) });
      })
      .finally(() => transfers.delete(next.id));
    void transfer.start();
    // Starts (or resumes) exactly one upload per queued item: `next` changes only when one stops.
  }, [next, account, api, sessions, added, transfers]);

  const addFiles = useCallback(async (files: File[]) => {
    const { accepted, refusals: refused } = await sortChosen(files, latest.current);
    setRefusals(refused);
    if (accepted.length > 0) dispatch({ type: "add", files: accepted, ids: accepted.map(() => newId()) });
  }, []);
  const setTitle = useCallback((id: string, title: string) => {
    dispatch({ type: "title", id, title });
  }, []);
  const cancel = useCallback(
    (id: string) => {
      const transfer = transfers.get(id);
      if (transfer) void transfer.cancel();
      else dispatch({ type: "cancelled", id });
    },
    [transfers],
  );
  const pause = useCallback(
    (id: string) => {
      transfers.get(id)?.pause();
      dispatch({ type: "pause", id });
    },
    [transfers],
  );
  const resume = useCallback((id: string) => {
    dispatch({ type: "resume", id });
  }, []);
  const retry = useCallback((id: string) => {
    dispatch({ type: "retry", id });
  }, []);
  const remove = useCallback((id: string) => {
    dispatch({ type: "remove", id });
  }, []);
  const clearFinished = useCallback(() => {
    dispatch({ type: "clear-finished" });
  }, []);

  const value = useMemo(
    () => ({ items, refusals, addFiles, setTitle, cancel, pause, resume, retry, remove, clearFinished }),
    [items, refusals, addFiles, setTitle, cancel, pause, resume, retry, remove, clearFinished],
  );
  return <UploadContext value={value}>{children}</UploadContext>;
}

export function useUploads(): UploadValue {
  const value = use(UploadContext);
  if (!value) throw new Error("useUploads outside UploadProvider");
  return value;
}
