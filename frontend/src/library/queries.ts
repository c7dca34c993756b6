/**
 * The library and the player as queries over one cache: a video is fetched
 * once, and a rename, delete or upload edits the cached copies in place.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";
import { useCallback } from "react";
import type { Video } from "../api/client";
import { useAuth } from "../auth/AuthContext";
import { prependVideo, removeVideo, replaceVideo, type LibraryPages } from "./cache";

export const videoKeys = {
  lists: ["videos", "list"] as const,
  list: () => [...videoKeys.lists] as const,
  detail: (id: string) => ["videos", "detail", id] as const,
};

export function useLibraryPages() {
  const { api } = useAuth();
  return useInfiniteQuery({
    queryKey: videoKeys.list(),
    queryFn: ({ pageParam, signal }) => api.listVideos(pageParam, signal),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.next_cursor,
  });
}

export function useVideo(id: string) {
  const { api } = useAuth();
  return useQuery({ queryKey: videoKeys.detail(id), queryFn: ({ signal }) => api.getVideo(id, signal) });
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
    },
  });
}

/** Shows a finished upload in the library at once. */
export function useVideoAdded(): (video: Video) => void {
  const queryClient = useQueryClient();
  return useCallback(
    (video: Video) => {
      queryClient.setQueryData(videoKeys.detail(video.id), video);
      editLists(queryClient, (pages) => prependVideo(pages, video));
    },
    [queryClient],
  );
}
