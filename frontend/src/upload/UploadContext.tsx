import { createContext, use, useCallback, useEffect, useMemo, useReducer, useRef, useState, type ReactNode } from "react";
import type { Api, Video } from "../api/client";
import { ApiError, errorText, isAbort } from "../api/errors";
import { useAuth } from "../auth/AuthContext";
import { useVideoAdded } from "../library/queries";
import { fileKey, refusalOf } from "./accept";
import { isPending, nextToUpload, queueReducer, type UploadItem } from "./queue";
import { uploadVideo } from "./request";

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
async function applyLateTitle(api: Api, video: Video, item: UploadItem | undefined): Promise<Video> {
  const title = item?.title.trim();
  if (!title || title === video.title) return video;
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

/** Asks before the page is left while an upload runs: leaving would stop it. */
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

/** Uploads keep going while the person browses the library or watches a video. */
export function UploadProvider({ children }: { children: ReactNode }) {
  const { api, sessions } = useAuth();
  const added = useVideoAdded();
  const [items, dispatch] = useReducer(queueReducer, []);
  const [refusals, setRefusals] = useState<Refusal[]>([]);
  const controllers = useRef(new Map<string, AbortController>());
  // The newest items for callbacks that outlive a render: a title typed during the upload.
  const latest = useRef(items);
  useEffect(() => {
    latest.current = items;
  }, [items]);
  useWarnBeforeUnload(items.some(isPending));

  const next = nextToUpload(items);
  useEffect(() => {
    const session = sessions.get();
    if (!next || !session || controllers.current.has(next.id)) return;
    const controller = new AbortController();
    controllers.current.set(next.id, controller);
    dispatch({ type: "begin", id: next.id });
    uploadVideo({
      baseUrl: api.baseUrl,
      token: session.token,
      file: next.file,
      title: next.title,
      signal: controller.signal,
      onProgress: (progress) => {
        dispatch({ type: "progress", id: next.id, progress });
      },
      onUnauthorized: () => {
        sessions.end("expired");
      },
    })
      .then(async (stored) => {
        const video = await applyLateTitle(api, stored, latest.current.find((item) => item.id === next.id));
        dispatch({ type: "done", id: next.id, video });
        added(video);
      })
      .catch((error: unknown) => {
        if (isAbort(error)) dispatch({ type: "cancelled", id: next.id });
        else dispatch({ type: "failed", id: next.id, error: errorText(error), retryable: isTransient(error) });
      })
      .finally(() => controllers.current.delete(next.id));
    // Starts exactly one upload per queued item: `next` changes only when one finishes.
  }, [next, api, sessions, added]);

  // Leaving the app (logout unmounts this provider) cancels what is in flight.
  useEffect(() => {
    const inFlight = controllers.current;
    return () => {
      for (const controller of inFlight.values()) controller.abort();
    };
  }, []);

  const addFiles = useCallback(async (files: File[]) => {
    const { accepted, refusals: refused } = await sortChosen(files, latest.current);
    setRefusals(refused);
    if (accepted.length > 0) dispatch({ type: "add", files: accepted, ids: accepted.map(() => newId()) });
  }, []);
  const setTitle = useCallback((id: string, title: string) => {
    dispatch({ type: "title", id, title });
  }, []);
  const cancel = useCallback((id: string) => {
    const controller = controllers.current.get(id);
    if (controller) controller.abort();
    else dispatch({ type: "cancelled", id });
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
    () => ({ items, refusals, addFiles, setTitle, cancel, retry, remove, clearFinished }),
    [items, refusals, addFiles, setTitle, cancel, retry, remove, clearFinished],
  );
  return <UploadContext value={value}>{children}</UploadContext>;
}

export function useUploads(): UploadValue {
  const value = use(UploadContext);
  if (!value) throw new Error("useUploads outside UploadProvider");
  return value;
}
