/** Pure edits of cached library pages, so a change shows everywhere without a refetch. */
import type { InfiniteData } from "@tanstack/react-query";
import type { Video, VideoPage } from "../api/client";

export type LibraryPages = InfiniteData<VideoPage>;

function mapPages(pages: LibraryPages, edit: (items: Video[]) => Video[]): LibraryPages {
  return { ...pages, pages: pages.pages.map((page) => ({ ...page, items: edit(page.items) })) };
}

/** Every video of every page, in order, each once (a page may repeat the end of the last). */
export function allVideos(pages: LibraryPages | undefined): Video[] {
  const unique = new Map<string, Video>();
  for (const page of pages?.pages ?? []) {
    for (const video of page.items) if (!unique.has(video.id)) unique.set(video.id, video);
  }
  return [...unique.values()];
}

/** The server's new copy of a video, in place of the old one wherever it is listed. */
export function replaceVideo(pages: LibraryPages, video: Video): LibraryPages {
  return mapPages(pages, (items) => items.map((item) => (item.id === video.id ? video : item)));
}

export function removeVideo(pages: LibraryPages, id: string): LibraryPages {
  return mapPages(pages, (items) => items.filter((item) => item.id !== id));
}

/** A new upload at the top of a newest-first list, once. */
export function prependVideo(pages: LibraryPages, video: Video): LibraryPages {
  if (allVideos(pages).some((item) => item.id === video.id)) return pages;
  const [first, ...rest] = pages.pages;
  if (!first) return pages;
  return { ...pages, pages: [{ ...first, items: [video, ...first.items] }, ...rest] };
}
