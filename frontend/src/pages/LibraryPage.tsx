import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useLocation } from "react-router";
import type { LibrarySort, Video } from "../api/client";
import { DeleteVideoDialog } from "../components/DeleteVideoDialog";
import { useFocusAfterRender } from "../components/focus";
import { RenameForm } from "../components/RenameForm";
import { errorText } from "../api/errors";
import { ErrorMessage, Notice, Spinner, useDocumentTitle } from "../components/ui";
import { VideoThumb } from "../components/VideoThumb";
import { formatBytes, formatDate, formatRelative } from "../lib/format";
import { allVideos } from "../library/cache";
import { useLibraryPages, useRenameVideo } from "../library/queries";
import { SORT_LABELS, useLibrarySearch } from "../library/useLibrarySearch";
import { useUploads } from "../upload/UploadContext";

function VideoCard({ video, onDeleted }: { video: Video; onDeleted: () => void }) {
  const rename = useRenameVideo();
  const [renaming, setRenaming] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const { ref: renameRef, focusSoon: focusRename } = useFocusAfterRender<HTMLButtonElement>();
  const thumb = <VideoThumb video={video} />;

  return (
    <li className="card" aria-label={video.title}>
      {renaming ? (
        // While the title is being edited the poster is no link: a link needs the title as its name.
        <div className="card-link">{thumb}</div>
      ) : (
        <Link to={`/videos/${video.id}`} className="card-link">
          {thumb}
          <span className="card-title">{video.title}</span>
        </Link>
      )}
      {renaming && (
        <RenameForm
          initial={video.title}
          onSave={(title) => rename.mutateAsync({ id: video.id, title })}
          onDone={() => {
            setRenaming(false);
            focusRename();
          }}
        />
      )}
      {video.status === "failed" && <p className="card-error">{video.processing_error}</p>}
      <div className="card-meta">
        <span>{formatBytes(video.size)}</span>
        <span aria-hidden="true">·</span>
        <time dateTime={video.created_at} title={formatDate(video.created_at)}>
          {formatRelative(video.created_at)}
        </time>
      </div>
      {!renaming && (
        <div className="card-actions">
          <button
            ref={renameRef}
            type="button"
            className="button button-ghost button-small"
            onClick={() => {
              setRenaming(true);
            }}
          >
            Rename
          </button>
          <button
            type="button"
            className="button button-ghost button-small button-danger-text"
            onClick={() => {
              setConfirming(true);
            }}
          >
            Delete
          </button>
        </div>
      )}
      <DeleteVideoDialog
        video={video}
        open={confirming}
        onClose={() => {
          setConfirming(false);
        }}
        onDeleted={onDeleted}
      />
    </li>
  );
}

function SkeletonGrid() {
  return (
    <ul className="grid" aria-hidden="true">
      {Array.from({ length: 8 }, (_, index) => (
        <li key={index} className="card card-skeleton">
          <div className="thumb skeleton" />
          <div className="skeleton skeleton-line" />
          <div className="skeleton skeleton-line skeleton-short" />
        </li>
      ))}
    </ul>
  );
}

function EmptyState() {
  return (
    <div className="empty">
      <div className="empty-icon" aria-hidden="true">
        <svg viewBox="0 0 24 24" width="40" height="40">
          <path d="M4 6h11a1 1 0 0 1 1 1v2.5l4-2.5v10l-4-2.5V17a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1z" fill="currentColor" />
        </svg>
      </div>
      <h2>No videos yet</h2>
      <p>Upload your first video and it will show up here, ready to watch and seek instantly.</p>
      <Link to="/upload" className="button button-primary">
        Upload a video
      </Link>
    </div>
  );
}

function UploadStrip() {
  const { items } = useUploads();
  const active = items.filter((item) => item.status === "uploading" || item.status === "queued");
  if (active.length === 0) return null;
  const current = active.find((item) => item.status === "uploading");
  return (
    <Link to="/upload" className="upload-strip">
      <span className="spinner" aria-hidden="true" />
      Uploading {active.length === 1 ? "1 video" : `${active.length} videos`}
      {current?.progress ? ` · ${current.progress.percent}%` : ""}
    </Link>
  );
}

/** Loads the next page when the end of the list scrolls into view. */
function useInfiniteScroll(onVisible: () => void, enabled: boolean) {
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = sentinel.current;
    if (!element || !enabled || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) onVisible();
    }, { rootMargin: "400px" });
    observer.observe(element);
    return () => {
      observer.disconnect();
    };
  }, [onVisible, enabled]);
  return sentinel;
}

/**
 * After a delete, focus goes to the card that took the deleted one's place, or
 * to the heading when it was the last: never to the top of the document.
 */
function useFocusAfterDelete(videos: Video[]) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const gridRef = useRef<HTMLUListElement>(null);
  const [deleted, setDeleted] = useState<{ id: string; index: number } | null>(null);
  useEffect(() => {
    if (!deleted || videos.some((video) => video.id === deleted.id)) return;
    const next = gridRef.current?.querySelectorAll<HTMLElement>(".card-link")[deleted.index];
    (next ?? headingRef.current)?.focus();
    // eslint-disable-next-line react-hooks/set-state-in-effect -- done once the card has left the page
    setDeleted(null);
  }, [deleted, videos]);
  const onCardDeleted = useCallback((id: string, index: number) => {
    setDeleted({ id, index });
  }, []);
  return { headingRef, gridRef, onCardDeleted };
}

function LibraryToolbar({ typed, sort, onType, onSort }: {
  typed: string;
  sort: LibrarySort;
  onType: (text: string) => void;
  onSort: (sort: LibrarySort) => void;
}) {
  return (
    <div className="library-toolbar" role="search">
      <input
        type="search"
        className="input library-search"
        placeholder="Search titles"
        aria-label="Search your videos"
        value={typed}
        onChange={(event) => {
          onType(event.target.value);
        }}
      />
      <label className="library-sort">
        <span className="field-label">Sort by</span>
        <select
          className="input"
          value={sort}
          onChange={(event) => {
            onSort(event.target.value as LibrarySort);
          }}
        >
          {Object.entries(SORT_LABELS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

function NoMatches({ query, onClear }: { query: string; onClear: () => void }) {
  return (
    <div className="empty">
      <h2>No videos match “{query}”</h2>
      <p>Titles are matched on whole words and on how words begin, whatever the case or accents.</p>
      <button type="button" className="button" onClick={onClear}>
        Clear the search
      </button>
    </div>
  );
}

export function LibraryPage() {
  useDocumentTitle("Library");
  const { search, typed, setTyped, setSort } = useLibrarySearch();
  const library = useLibraryPages(search);
  const { hasNextPage, isFetchingNextPage, fetchNextPage, refetch } = library;
  const location = useLocation();
  const notice = (location.state as { notice?: string } | null)?.notice ?? null;
  const loadMore = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);
  const error = library.error ? errorText(library.error) : null;
  const sentinel = useInfiniteScroll(loadMore, hasNextPage && !isFetchingNextPage && error === null);

  const items = useMemo(() => allVideos(library.data), [library.data]);
  const { headingRef, gridRef, onCardDeleted } = useFocusAfterDelete(items);
  useEffect(() => {
    // Arriving with news (a video deleted from the player): start reading at the page's heading.
    if (notice) headingRef.current?.focus();
  }, [notice, headingRef]);
  const loadedOnce = library.data !== undefined;
  const more = hasNextPage;
  const count = `${items.length}${more ? "+" : ""} ${items.length === 1 && !more ? "video" : "videos"}`;
  const searching = search.q !== "";
  const summary = searching ? `${count} matching “${search.q}”` : `${count}, ${SORT_LABELS[search.sort].toLowerCase()}`;

  return (
    <section className="page" aria-labelledby="library-title">
      <div className="page-header">
        <div>
          <h1 id="library-title" ref={headingRef} tabIndex={-1}>
            Your library
          </h1>
          {loadedOnce && items.length > 0 && <p className="page-subtitle">{summary}</p>}
        </div>
        {items.length > 0 && (
          <Link to="/upload" className="button button-primary">
            Upload videos
          </Link>
        )}
      </div>
      <UploadStrip />
      <Notice>{notice}</Notice>
      {loadedOnce && (items.length > 0 || searching) && (
        <LibraryToolbar typed={typed} sort={search.sort} onType={setTyped} onSort={setSort} />
      )}
      {library.isPlaceholderData && <Spinner label="Searching…" />}
      {!loadedOnce && error === null && (
        <>
          <Spinner label="Loading your videos…" />
          <SkeletonGrid />
        </>
      )}
      {error && (
        <ErrorMessage
          action={
            <button type="button" className="button button-small" onClick={() => void (loadedOnce ? fetchNextPage() : refetch())}>
              Try again
            </button>
          }
        >
          {error}
        </ErrorMessage>
      )}
      {loadedOnce && items.length === 0 && !searching && <EmptyState />}
      {loadedOnce && items.length === 0 && searching && !library.isPlaceholderData && (
        <NoMatches
          query={search.q}
          onClear={() => {
            setTyped("");
          }}
        />
      )}
      {items.length > 0 && (
        <ul className="grid" aria-label="Videos" ref={gridRef}>
          {items.map((video, index) => (
            <VideoCard
              key={video.id}
              video={video}
              onDeleted={() => {
                onCardDeleted(video.id, index);
              }}
            />
          ))}
        </ul>
      )}
      <div ref={sentinel} className="sentinel" />
      {loadedOnce && more && (
        <div className="load-more">
          {isFetchingNextPage ? (
            <Spinner label="Loading more videos…" />
          ) : (
            <button type="button" className="button" onClick={loadMore}>
              Load more
            </button>
          )}
        </div>
      )}
    </section>
  );
}
