/** A video's share links in the query cache, and the page a link opens. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { Share } from "../api/client";
import { useAuth } from "../auth/AuthContext";

const sharesKey = (videoId: string) => ["videos", "shares", videoId] as const;

export function useShares(videoId: string, enabled: boolean) {
  const { api } = useAuth();
  return useQuery({ queryKey: sharesKey(videoId), queryFn: ({ signal }) => api.listShares(videoId, signal), enabled });
}

export function useCreateShare(videoId: string) {
  const { api } = useAuth();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (expiresAt: string | null) => api.createShare(videoId, expiresAt),
    onSuccess: (share) => {
      queryClient.setQueryData<Share[]>(sharesKey(videoId), (shares) => [share, ...(shares ?? [])]);
    },
  });
}

export function useRevokeShare(videoId: string) {
  const { api } = useAuth();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (shareId: string) => api.revokeShare(videoId, shareId),
    onSuccess: (_, shareId) => {
      queryClient.setQueryData<Share[]>(sharesKey(videoId), (shares) => shares?.filter((share) => share.id !== shareId));
    },
  });
}

export function useSharedVideo(token: string) {
  const { api } = useAuth();
  return useQuery({ queryKey: ["shared", token], queryFn: ({ signal }) => api.getShared(token, signal) });
}

/** The link to send: the API's `url`, under this web app's origin when it is a path. */
export function shareLink(share: Share): string {
  return share.url.startsWith("/") ? `${window.location.origin}${share.url}` : share.url;
}
