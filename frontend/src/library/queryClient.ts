/** One query cache per session: the library and the player read the same copy of a video. */
import { QueryClient } from "@tanstack/react-query";
import { ApiError } from "../api/errors";

/** Retry what may pass later (no answer, a server error); a 4xx will only fail again. */
function worthRetrying(failures: number, error: unknown): boolean {
  const transient = !(error instanceof ApiError) || error.status === null || error.status >= 500;
  return transient && failures < 2;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      // Cached data is shown at once and revalidated in the background on each visit,
      // which is also how a session revoked elsewhere is noticed.
      queries: { retry: worthRetrying },
      mutations: { retry: false },
    },
  });
}
