import { createContext, use, useCallback, useMemo, useReducer, useRef, type ReactNode } from "react";
import type { Video } from "../api/client";
import { isAbort } from "../api/errors";
import { useAuth } from "../auth/AuthContext";
import { canLoadMore, initialLibrary, libraryReducer, type LibraryState } from "./state";

interface LibraryValue {
  state: LibraryState;
  loadFirst: () => Promise<void>;
  loadMore: () => Promise<void>;
  added: (video: Video) => void;
  rename: (id: string, title: string) => Promise<Video>;
  remove: (id: string) => Promise<void>;
}

const LibraryContext = createContext<LibraryValue | null>(null);

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function LibraryProvider({ children }: { children: ReactNode }) {
  const { api } = useAuth();
  const [state, dispatch] = useReducer(libraryReducer, initialLibrary);
  const inFlight = useRef<AbortController | null>(null);

  const load = useCallback(
    async (cursor: string | null) => {
      inFlight.current?.abort();
      const controller = new AbortController();
      inFlight.current = controller;
      dispatch({ type: "load-start" });
      try {
        const page = await api.listVideos(cursor, controller.signal);
        dispatch({ type: "page-loaded", page, first: cursor === null });
      } catch (error) {
        if (!isAbort(error)) dispatch({ type: "load-failed", error: message(error) });
      }
    },
    [api],
  );

  const loadFirst = useCallback(() => load(null), [load]);
  const loadMore = useCallback(async () => {
    if (canLoadMore(state)) await load(state.nextCursor);
  }, [load, state]);

  const added = useCallback((video: Video) => {
    dispatch({ type: "added", video });
  }, []);

  const rename = useCallback(
    async (id: string, title: string) => {
      const video = await api.renameVideo(id, title);
      dispatch({ type: "renamed", video });
      return video;
    },
    [api],
  );

  const remove = useCallback(
    async (id: string) => {
      await api.deleteVideo(id);
      dispatch({ type: "removed", id });
    },
    [api],
  );

  const value = useMemo(
    () => ({ state, loadFirst, loadMore, added, rename, remove }),
    [state, loadFirst, loadMore, added, rename, remove],
  );
  return <LibraryContext value={value}>{children}</LibraryContext>;
}

export function useLibrary(): LibraryValue {
  const value = use(LibraryContext);
  if (!value) throw new Error("useLibrary outside LibraryProvider");
  return value;
}
