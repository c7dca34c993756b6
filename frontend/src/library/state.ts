/** The library as a pure reducer over cursor pages, newest first, without duplicates. */
import type { Video, VideoPage } from "../api/client";

export interface LibraryState {
  items: Video[];
  nextCursor: string | null;
  /** "idle" before the first page is asked for. */
  status: "idle" | "loading" | "ready" | "error";
  error: string | null;
  loadedOnce: boolean;
}

export type LibraryAction =
  | { type: "load-start" }
  | { type: "page-loaded"; page: VideoPage; first: boolean }
  | { type: "load-failed"; error: string }
  | { type: "added"; video: Video }
  | { type: "renamed"; video: Video }
  | { type: "removed"; id: string };

export const initialLibrary: LibraryState = {
  items: [],
  nextCursor: null,
  status: "idle",
  error: null,
  loadedOnce: false,
};

function newestFirst(a: Video, b: Video): number {
  return b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id);
}

function merge(existing: Video[], incoming: Video[]): Video[] {
  const seen = new Set(existing.map((video) => video.id));
  return [...existing, ...incoming.filter((video) => !seen.has(video.id))];
}

export function libraryReducer(state: LibraryState, action: LibraryAction): LibraryState {
  switch (action.type) {
    case "load-start":
      return { ...state, status: "loading", error: null };
    case "page-loaded": {
      const { page, first } = action;
      return {
        items: first ? page.items : merge(state.items, page.items),
        nextCursor: page.next_cursor,
        status: "ready",
        error: null,
        loadedOnce: true,
      };
    }
    case "load-failed":
      return { ...state, status: "error", error: action.error };
    case "added":
      return { ...state, items: merge([action.video], state.items).sort(newestFirst) };
    case "renamed":
      return {
        ...state,
        items: state.items.map((video) => (video.id === action.video.id ? { ...video, title: action.video.title } : video)),
      };
    case "removed":
      return { ...state, items: state.items.filter((video) => video.id !== action.id) };
  }
}

/** Whether another page can be asked for now. */
export function canLoadMore(state: LibraryState): boolean {
  return state.loadedOnce && state.nextCursor !== null && state.status !== "loading";
}
