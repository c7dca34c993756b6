import { useEffect, useState } from "react";
import { Link, useNavigate, useParams } from "react-router";
import type { Video } from "../api/client";
import { errorText, isAbort } from "../api/errors";
import { useAuth } from "../auth/AuthContext";
import { DeleteVideoDialog } from "../components/DeleteVideoDialog";
import { RenameForm } from "../components/RenameForm";
import { ErrorMessage, Spinner, useDocumentTitle } from "../components/ui";
import { formatLabel } from "../components/VideoThumb";
import { apiUrl } from "../config";
import { formatBytes, formatDate } from "../lib/format";
import { useLibrary } from "../library/LibraryContext";

type Loaded = { status: "loading" } | { status: "error"; error: string } | { status: "ready"; video: Video; src: string };
type Fetched = Exclude<Loaded, { status: "loading" }> & { id: string };

function useVideo(id: string) {
  const { api } = useAuth();
  const [fetched, setFetched] = useState<Fetched | null>(null);
  const loaded: Loaded = fetched?.id === id ? fetched : { status: "loading" };

  useEffect(() => {
    const controller = new AbortController();
    api.getVideo(id, controller.signal).then(
      // The stream URL is fixed here, once: a rename returns a fresh token,
      // and a new src would restart playback.
      (video) => {
        setFetched({ id, status: "ready", video, src: apiUrl(video.stream_url, api.baseUrl) });
      },
      (error: unknown) => {
        if (!isAbort(error)) setFetched({ id, status: "error", error: errorText(error) });
      },
    );
    return () => {
      controller.abort();
    };
  }, [api, id]);

  const renamed = (video: Video) => {
    setFetched((current) =>
      current?.status === "ready" ? { ...current, video: { ...current.video, title: video.title } } : current,
    );
  };
  return { loaded, renamed };
}

function Player({ video, src, onRenamed }: { video: Video; src: string; onRenamed: (video: Video) => void }) {
  const { rename } = useLibrary();
  const navigate = useNavigate();
  const [renaming, setRenaming] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [playError, setPlayError] = useState(false);

  const downloadUrl = `${src}${src.includes("?") ? "&" : "?"}download=1`;

  return (
    <article className="player-page">
      <div className="player-frame">
        <video
          className="player"
          controls
          playsInline
          preload="metadata"
          src={src}
          aria-label={`Video player: ${video.title}`}
          onError={() => {
            setPlayError(true);
          }}
        />
      </div>
      {playError && (
        <ErrorMessage>
          This browser cannot play this {formatLabel(video.content_type, video.filename)} file. Download it to watch it with
          another player.
        </ErrorMessage>
      )}
      <div className="player-details">
        {renaming ? (
          <RenameForm
            initial={video.title}
            onSave={async (title) => {
              onRenamed(await rename(video.id, title));
            }}
            onDone={() => {
              setRenaming(false);
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
          <a className="button" href={downloadUrl} download={video.filename}>
            Download
          </a>
          <button
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
  const { loaded, renamed } = useVideo(id);
  useDocumentTitle(
    loaded.status === "ready" ? loaded.video.title : loaded.status === "error" ? "Video not available" : "Loading video",
  );

  return (
    <section className="page">
      <Link to="/" className="back-link">
        ← Library
      </Link>
      {loaded.status === "loading" && <Spinner label="Loading video…" />}
      {loaded.status === "error" && <ErrorMessage>{loaded.error}</ErrorMessage>}
      {loaded.status === "ready" && <Player video={loaded.video} src={loaded.src} onRenamed={renamed} />}
    </section>
  );
}
