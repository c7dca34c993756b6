/**
 * The library and the player as queries over one cache: a video is fetched
 * once, and a rename, delete or upload edits the cached copies in place.
 */
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from "@tanstack/react-query";
import { useCallback } from "react";
import type { LibrarySearch, Video } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { allVideos, prependVideo, removeVideo, replaceVideo, type LibraryPages } from "./cache";

export const DEFAULT_SEARCH: LibrarySearch = { q: "", sort: "newest" };

export const videoKeys = {
  lists: ["videos", "list"] as const,
  list: (search: LibrarySearch) => [...videoKeys.lists, search] as const,
  detail: (id: string) => ["videos", "detail", id] as const,
  storyboard: (id: string) => ["videos", "storyboard", id] as const,
};

/** Whether a cached list is the whole library newest first, where a new upload goes on top. */
function isWholeLibraryNewestFirst(queryKey: readonly unknown[]): boolean {
  const search = queryKey[2] as LibrarySearch | undefined;
  return search?.q === "" && search.sort === "newest";
}

export function useLibraryPages(search: LibrarySearch) {
  const { api } = useAuth();
  return useInfiniteQuery({
    queryKey: videoKeys.list(search),
    queryFn: ({ pageParam, signal }) => api.listVideos(pageParam, search, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
    // While another search or order loads, the last results stay on screen.
    placeholderData: keepPreviousData,
    // A card still processing shows its progress, and its poster once made.
    refetchInterval: (query) =>
      allVideos(query.state.data).some((video) => video.status === "processing") ? PROCESSING_POLL_MS : false,
  });
}

/** While a worker processes a video, its progress is polled at this interval. */
export const PROCESSING_POLL_MS = 2000;

export function useVideo(id: string) {
  const { api } = useAuth();
  return useQuery({
    queryKey: videoKeys.detail(id),
    queryFn: ({ signal }) => api.getVideo(id, signal),
    // The player waits for a playable copy, and shows how far the worker is.
    refetchInterval: (query) => (query.state.data?.status === "processing" ? PROCESSING_POLL_MS : false),
  });
}

/**
 * A video's storyboard index, once the worker has made one. It never changes
 * afterwards, so it is fetched once (the video's own refetches carry a new
 * token in storyboard_url every time, which is why the key is the id).
 */
export function useStoryboard(video: Video) {
  const { api } = useAuth();
  return useQuery({
    queryKey: videoKeys.storyboard(video.id),
    queryFn: ({ signal }) => api.getStoryboard(video.id, signal),
    enabled: video.storyboard_url !== null,
    staleTime: Number.POSITIVE_INFINITY,
    retry: false, // without previews the seek bar still seeks
  });
}

function editLists(queryClient: QueryClient, edit: (pages: LibraryPages) => LibraryPages): void {
  queryClient.setQueriesData<LibraryPages>({ queryKey: videoKeys.lists }, (pages) => pages && edit(pages));
}

export function useRenameVideo() {
  const { api } = useAuth();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, title }: { id: string; title: string }) => api.renameVideo(id, title),
    onSuccess: (video) => {
      queryClient.setQueryData(videoKeys.detail(video.id), video);
      editLists(queryClient, (pages) => replaceVideo(pages, video));
      // A new title may move the video in a title order, or in or out of a search.
      void queryClient.invalidateQueries({
        queryKey: videoKeys.lists,
        predicate: (query) => !isWholeLibraryNewestFirst(query.queryKey),
      });
    },
  });
}

export function useDeleteVideo() {
  const { api } = useAuth();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.deleteVideo(id),
    onSuccess: (_, id) => {
      editLists(queryClient, (pages) => removeVideo(pages, id));
      queryClient.removeQueries({ queryKey: videoKeys.detail(id) });
      queryClient.removeQueries({ queryKey: videoKeys.storyboard(id) });
    },
  });
}

/** Shows a finished upload in the library at once. */
export function useVideoAdded(): (video: Video) => void {
  const queryClient = useQueryClient();
  return useCallback(
    (video: Video) => {
      queryClient.setQueryData(videoKeys.detail(video.id), video);
      queryClient.setQueriesData<LibraryPages>(
        { queryKey: videoKeys.lists, predicate: (query) => isWholeLibraryNewestFirst(query.queryKey) },
        (pages) => pages && prependVideo(pages, video),
      );
      // Elsewhere its place depends on the order or the search: ask the server.
      void queryClient.invalidateQueries({
        queryKey: videoKeys.lists,
        predicate: (query) => !isWholeLibraryNewestFirst(query.queryKey),
      });
    },
    [queryClient],
  );
}
