/** The typed API: every path, body and response type comes from the generated schema. */
import createClient, { type Middleware } from "openapi-fetch";
import type { SessionStore } from "../auth/session";
import { bearerHeader, endSessionIfRefused } from "./bearer";
import { ApiError, describeFailure, fieldErrors, isAbort, NETWORK_DOWN, type Action } from "./errors";
import type { components, paths } from "./schema";

export type Video = components["schemas"]["VideoOut"];
export type VideoPage = components["schemas"]["VideoPage"];
export type User = components["schemas"]["UserOut"];
export type Account = components["schemas"]["AccountOut"];
export type Share = components["schemas"]["ShareOut"];
export type SharedVideo = components["schemas"]["SharedVideoOut"];
export type Storyboard = components["schemas"]["StoryboardOut"];
export type LibrarySort = NonNullable<NonNullable<paths["/api/v1/videos"]["get"]["parameters"]["query"]>["sort"]>;

/** What the library shows: a title search (empty: everything) in one order. */
export interface LibrarySearch {
  q: string;
  sort: LibrarySort;
}
export type AccessToken = components["schemas"]["AccessToken"];

export const PAGE_SIZE = 24;

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/** The data of a successful call, or an ApiError whose message says what went wrong. */
export async function unwrap<T>(action: Action, pending: Promise<Outcome<T>>): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await pending;
  } catch (cause) {
    if (isAbort(cause)) throw cause;
    throw new ApiError(NETWORK_DOWN, null);
  }
  const { response } = outcome;
  if (response.ok) return outcome.data as T;
  const message = describeFailure(action, response.status, outcome.error, response.headers.get("Retry-After"));
  throw new ApiError(message, response.status, response.status === 422 ? fieldErrors(outcome.error) : {});
}

/** Sends the token, and ends the session when the API no longer accepts it. */
function authMiddleware(sessions: SessionStore): Middleware {
  return {
    onRequest({ request }) {
      const authorization = bearerHeader(sessions);
      if (authorization) request.headers.set("Authorization", authorization);
      return request;
    },
    onResponse({ request, response }) {
      endSessionIfRefused(sessions, response.status, request.headers.has("Authorization"));
      return response;
    },
  };
}

export function createApi(baseUrl: string, sessions: SessionStore, fetchImpl?: typeof fetch) {
  const client = createClient<paths>({ baseUrl, ...(fetchImpl ? { fetch: fetchImpl } : {}) });
  client.use(authMiddleware(sessions));

  return {
    baseUrl,
    signup: (email: string, password: string) =>
      unwrap("signup", client.POST("/api/v1/auth/signup", { body: { email, password } })),

    login: (email: string, password: string) =>
      unwrap(
        "login",
        client.POST("/api/v1/auth/login", {
          body: { username: email, password, scope: "" },
          bodySerializer: (body) => new URLSearchParams(body as Record<string, string>),
          headers: { "Content-Type": "application/x-www-form-urlencoded" },
        }),
      ),

    logout: () => unwrap("logout", client.POST("/api/v1/auth/logout")),

    me: (signal?: AbortSignal) => unwrap("load", client.GET("/api/v1/users/me", signal ? { signal } : {})),

    changePassword: (currentPassword: string, newPassword: string) =>
      unwrap(
        "password",
        client.POST("/api/v1/users/me/password", { body: { current_password: currentPassword, new_password: newPassword } }),
      ),

    deleteAccount: (password: string) => unwrap("delete-account", client.DELETE("/api/v1/users/me", { body: { password } })),

    listVideos: (cursor: string | null, search: LibrarySearch, signal?: AbortSignal) =>
      unwrap(
        "list",
        client.GET("/api/v1/videos", {
          params: {
            query: { limit: PAGE_SIZE, sort: search.sort, ...(search.q ? { q: search.q } : {}), ...(cursor ? { cursor } : {}) },
          },
          ...(signal ? { signal } : {}),
        }),
      ),

    getVideo: (id: string, signal?: AbortSignal) =>
      unwrap(
        "load",
        client.GET("/api/v1/videos/{video_id}", { params: { path: { video_id: id } }, ...(signal ? { signal } : {}) }),
      ),

    /** The seek-bar previews' index: where each moment's tile is in the sprite. */
    getStoryboard: (id: string, signal?: AbortSignal) =>
      unwrap(
        "load",
        client.GET("/api/v1/videos/{video_id}/storyboard", { params: { path: { video_id: id } }, ...(signal ? { signal } : {}) }),
      ),

    renameVideo: (id: string, title: string) =>
      unwrap("rename", client.PATCH("/api/v1/videos/{video_id}", { params: { path: { video_id: id } }, body: { title } })),

    listShares: (videoId: string, signal?: AbortSignal) =>
      unwrap(
        "share",
        client.GET("/api/v1/videos/{video_id}/shares", { params: { path: { video_id: videoId } }, ...(signal ? { signal } : {}) }),
      ),

    createShare: (videoId: string, expiresAt: string | null) =>
      unwrap(
        "share",
        client.POST("/api/v1/videos/{video_id}/shares", { params: { path: { video_id: videoId } }, body: { expires_at: expiresAt } }),
      ),

    revokeShare: (videoId: string, shareId: string) =>
      unwrap(
        "share",
        client.DELETE("/api/v1/videos/{video_id}/shares/{share_id}", {
          params: { path: { video_id: videoId, share_id: shareId } },
        }),
      ),

    /** What a share link opens; needs no session. */
    getShared: (token: string, signal?: AbortSignal) =>
      unwrap("shared", client.GET("/api/v1/shared/{token}", { params: { path: { token } }, ...(signal ? { signal } : {}) })),

    deleteVideo: (id: string) =>
      unwrap("delete", client.DELETE("/api/v1/videos/{video_id}", { params: { path: { video_id: id } } })),
  };
}

export type Api = ReturnType<typeof createApi>;
