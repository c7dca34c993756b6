import { useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import type { Storyboard, Video } from "../api/client";
import { errorText } from "../api/errors";
import { useAuth } from "../auth/AuthContext";
import { DeleteVideoDialog } from "../components/DeleteVideoDialog";
import { useFocusAfterRender } from "../components/focus";
import { RenameForm } from "../components/RenameForm";
import { ErrorMessage, Spinner, useDocumentTitle } from "../components/ui";
import { formatLabel } from "../components/VideoThumb";
import { apiUrl } from "../config";
import { formatBytes, formatDate, formatDuration } from "../lib/format";
import { useRenameVideo, useStoryboard, useVideo } from "../library/queries";
import { StoryboardFrame } from "../player/StoryboardFrame";
import { VideoPlayer } from "../player/VideoPlayer";
import { ShareDialog } from "../shares/ShareDialog";

interface PinnedMedia {
  id: string;
  src: string;
  poster: string | null;
}

/**
 * The playback and poster URLs first seen for this video: a rename or a
 * progress poll returns fresh tokens, and a new src would restart playback.
 * Null until the video has bytes every browser plays (the original as it is,
 * or the copy the worker makes of it).
 */
function usePinnedMedia(video: Video | undefined, baseUrl: string): PinnedMedia | null {
  const [pinned, setPinned] = useState<PinnedMedia | null>(null);
  if (video?.playback_url && pinned?.id !== video.id) {
    const media = {
      id: video.id,
      src: apiUrl(video.playback_url, baseUrl),
      poster: video.poster_url ? apiUrl(video.poster_url, baseUrl) : null,
    };
    setPinned(media);
    return media;
  }
  return pinned?.id === video?.id ? pinned : null;
}

/** The storyboard's frames for the seek bar; none until the index is there (or if it cannot be had). */
function useSeekPreview(video: Video, baseUrl: string) {
  const { data: board } = useStoryboard(video);
  const spriteUrl = board ? apiUrl(board.sprite_url, baseUrl) : null;
  useEffect(() => {
    // Fetched before the first hover, so the first preview is not blank.
    if (spriteUrl) new Image().src = spriteUrl;
  }, [spriteUrl]);
  if (!board || !spriteUrl) return undefined;
  return (seconds: number) => <StoryboardFrame board={board satisfies Storyboard} spriteUrl={spriteUrl} seconds={seconds} />;
}

/** Where the player goes while there is nothing every browser plays: why, and how far along. */
function NotPlayableYet({ video, downloadUrl }: { video: Video; downloadUrl: string }) {
  const poster = video.poster_url ? apiUrl(video.poster_url) : null;
  if (video.status === "failed") {
    return (
      <div className="player-frame player-waiting" role="alert">
        <p className="player-waiting-title">This video cannot be played in the browser.</p>
        {video.processing_error && <p>{video.processing_error}</p>}
        <p>The original is kept as it was uploaded: download it to watch it with another player.</p>
        <a className="button button-primary" href={downloadUrl} download={video.filename}>
          Download the original
        </a>
      </div>
    );
  }
  return (
    <div className="player-frame player-waiting">
      {poster && <img className="player-waiting-poster" src={poster} alt="" />}
      <div className="player-waiting-text" role="status">
        <p className="player-waiting-title">Getting this video ready to play in your browser…</p>
        <p>It starts here by itself once it is ready; you can leave this page meanwhile.</p>
      </div>
      <div className="player-waiting-progress" role="progressbar" aria-label="Preparing the video" aria-valuenow={video.progress} aria-valuemin={0} aria-valuemax={100}>
        <span style={{ width: `${String(video.progress)}%` }} />
      </div>
      <span className="player-waiting-percent" aria-hidden="true">
        {video.progress}%
      </span>
    </div>
  );
}

function Player({ video, media }: { video: Video; media: PinnedMedia | null }) {
  const { api } = useAuth();
  const seekPreview = useSeekPreview(video, api.baseUrl);
  const rename = useRenameVideo();
  const navigate = useNavigate();
  const [renaming, setRenaming] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [sharing, setSharing] = useState(false);
  const { ref: renameRef, focusSoon: focusRename } = useFocusAfterRender<HTMLButtonElement>();

  // Download is always the original, as uploaded (playback may be a copy made for browsers).
  const downloadUrl = `${apiUrl(video.stream_url, api.baseUrl)}&download=1`;

  return (
    <article className="player-page">
      {media ? (
        <VideoPlayer
          videoId={video.id}
          src={media.src}
          poster={media.poster}
          title={video.title}
          downloadUrl={downloadUrl}
          downloadName={video.filename}
          formatLabel={formatLabel(video.content_type, video.filename)}
          {...(seekPreview ? { seekPreview } : {})}
        />
      ) : (
        <NotPlayableYet video={video} downloadUrl={downloadUrl} />
      )}
      <div className="player-details">
        {renaming ? (
          <RenameForm
            initial={video.title}
            onSave={(title) => rename.mutateAsync({ id: video.id, title })}
            onDone={() => {
              setRenaming(false);
              focusRename();
            }}
          />
        ) : (
          <h1 className="player-title">{video.title}</h1>
        )}
        <dl className="facts">
          <div>
            <dt>Size</dt>
            <dd>{formatBytes(video.size)}</dd>
          </div>
          <div>
            <dt>Uploaded</dt>
            <dd>
              <time dateTime={video.created_at}>{formatDate(video.created_at)}</time>
            </dd>
          </div>
          <div>
            <dt>File</dt>
            <dd className="facts-file">{video.filename}</dd>
          </div>
          <div>
            <dt>Format</dt>
            <dd>{formatLabel(video.content_type, video.filename)}</dd>
          </div>
          {video.duration_seconds !== null && (
            <div>
              <dt>Duration</dt>
              <dd>{formatDuration(video.duration_seconds)}</dd>
            </div>
          )}
          {video.width !== null && video.height !== null && (
            <div>
              <dt>Resolution</dt>
              <dd>
                {video.width}×{video.height}
              </dd>
            </div>
          )}
        </dl>
        <div className="player-actions">
          <button
            type="button"
            className="button button-primary"
            onClick={() => {
              setSharing(true);
            }}
          >
            Share
          </button>
          <a className="button" href={downloadUrl} download={video.filename}>
            Download
          </a>
          <button
            ref={renameRef}
            type="button"
            className="button"
            disabled={renaming}
            onClick={() => {
              setRenaming(true);
            }}
          >
            Rename
          </button>
          <button
            type="button"
            className="button button-danger-text"
            onClick={() => {
              setConfirming(true);
            }}
          >
            Delete
          </button>
        </div>
      </div>
      <ShareDialog
        video={video}
        open={sharing}
        onClose={() => {
          setSharing(false);
        }}
      />
      <DeleteVideoDialog
        video={video}
        open={confirming}
        onClose={() => {
          setConfirming(false);
        }}
        onDeleted={() => navigate("/", { state: { notice: `Deleted “${video.title}”.` } })}
      />
    </article>
  );
}

export function PlayerPage() {
  const { id = "" } = useParams();
  const { api } = useAuth();
  const { data: video, error } = useVideo(id);
  const media = usePinnedMedia(video, api.baseUrl);
  useDocumentTitle(video ? video.title : error ? "Video not available" : "Loading video");

  return (
    <section className="page">
      <Link to="/" className="back-link">
        ← Library
      </Link>
      {!video && !error && <Spinner label="Loading video…" />}
      {!video && error && (
        <div className="missing">
          <h1>Video not available</h1>
          <ErrorMessage>{errorText(error)}</ErrorMessage>
        </div>
      )}
      {video && <Player video={video} media={media} />}
    </section>
  );
}
