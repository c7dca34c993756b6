import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import type { Video } from "../api/client";
import { errorText } from "../api/errors";
import { useAuth } from "../auth/AuthContext";
import { DeleteVideoDialog } from "../components/DeleteVideoDialog";
import { useFocusAfterRender } from "../components/focus";
import { RenameForm } from "../components/RenameForm";
import { ErrorMessage, Spinner, useDocumentTitle } from "../components/ui";
import { formatLabel } from "../components/VideoThumb";
import { apiUrl } from "../config";
import { formatBytes, formatDate } from "../lib/format";
import { useRenameVideo, useVideo } from "../library/queries";
import { ShareDialog } from "../shares/ShareDialog";
import { VideoPlayer } from "../player/VideoPlayer";

/**
 * The stream URL first seen for this video: a rename returns a fresh token, and
 * a new src would restart playback.
 */
function usePinnedSrc(video: Video | undefined, baseUrl: string): string | null {
  const [pinned, setPinned] = useState<{ id: string; src: string } | null>(null);
  if (video && pinned?.id !== video.id) {
    const src = apiUrl(video.stream_url, baseUrl);
    setPinned({ id: video.id, src });
    return src;
  }
  return pinned?.src ?? null;
}

function Player({ video, src }: { video: Video; src: string }) {
  const rename = useRenameVideo();
  const navigate = useNavigate();
  const [renaming, setRenaming] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [sharing, setSharing] = useState(false);
  const { ref: renameRef, focusSoon: focusRename } = useFocusAfterRender<HTMLButtonElement>();

  const downloadUrl = `${src}${src.includes("?") ? "&" : "?"}download=1`;

  return (
    <article className="player-page">
      <VideoPlayer
        videoId={video.id}
        src={src}
        title={video.title}
        downloadUrl={downloadUrl}
        downloadName={video.filename}
        formatLabel={formatLabel(video.content_type, video.filename)}
      />
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
  const src = usePinnedSrc(video, api.baseUrl);
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
      {video && src && <Player video={video} src={src} />}
    </section>
  );
}
