import { createContext, use, useCallback, useEffect, useMemo, useReducer, useRef, type ReactNode } from "react";
import { ApiError, errorText, isAbort } from "../api/errors";
import { useAuth } from "../auth/AuthContext";
import { useVideoAdded } from "../library/queries";
import { nextToUpload, queueReducer, type UploadItem } from "./queue";
import { uploadVideo } from "./request";

interface UploadValue {
  items: UploadItem[];
  addFiles: (files: File[]) => void;
  setTitle: (id: string, title: string) => void;
  startAll: () => void;
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

let sequence = 0;
function newId(): string {
  sequence += 1;
  return `upload-${Date.now().toString(36)}-${sequence}`;
}

/** Uploads keep going while the person browses the library or watches a video. */
export function UploadProvider({ children }: { children: ReactNode }) {
  const { api, sessions } = useAuth();
  const added = useVideoAdded();
  const [items, dispatch] = useReducer(queueReducer, []);
  const controllers = useRef(new Map<string, AbortController>());

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
      .then((video) => {
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

  const addFiles = useCallback((files: File[]) => {
    dispatch({ type: "add", files, ids: files.map(() => newId()) });
  }, []);
  const setTitle = useCallback((id: string, title: string) => {
    dispatch({ type: "title", id, title });
  }, []);
  const startAll = useCallback(() => {
    dispatch({ type: "start" });
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
    () => ({ items, addFiles, setTitle, startAll, cancel, retry, remove, clearFinished }),
    [items, addFiles, setTitle, startAll, cancel, retry, remove, clearFinished],
  );
  return <UploadContext value={value}>{children}</UploadContext>;
}

export function useUploads(): UploadValue {
  const value = use(UploadContext);
  if (!value) throw new Error("useUploads outside UploadProvider");
  return value;
}
