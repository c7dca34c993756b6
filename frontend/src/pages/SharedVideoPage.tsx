import { useState } from "react";
import { Link, useParams } from "react-router";
import { errorText } from "../api/errors";
import { useAuth } from "../auth/AuthContext";
import { ErrorMessage, Logo, Spinner, useDocumentTitle } from "../components/ui";
import { apiUrl } from "../config";
import { formatDuration } from "../lib/format";
import { useSharedVideo } from "../shares/queries";

/** What a share link opens: the video alone, no account needed. */
export function SharedVideoPage() {
  const { token = "" } = useParams();
  const { api } = useAuth();
  const shared = useSharedVideo(token);
  const [playError, setPlayError] = useState(false);
  const video = shared.data;
  useDocumentTitle(video ? video.title : shared.error ? "Link not valid" : "Shared video");

  return (
    <div className="app shared-page">
      <header className="topbar">
        <div className="topbar-inner">
          <Link to="/" className="brand" aria-label="Vidvault">
            <Logo />
          </Link>
        </div>
      </header>
      <main className="content">
        {shared.isPending && <Spinner label="Loading the shared video…" />}
        {shared.error && (
          <section className="empty" aria-labelledby="gone-title">
            <h1 id="gone-title">This link is no longer valid</h1>
            <ErrorMessage>{errorText(shared.error)}</ErrorMessage>
            <p>Ask whoever sent it for a new link.</p>
          </section>
        )}
        {video && (
          <article className="player-page">
            <div className="player-frame">
              <video
                className="player"
                controls
                playsInline
                preload="metadata"
                src={apiUrl(video.playback_url, api.baseUrl)}
                {...(video.poster_url ? { poster: apiUrl(video.poster_url, api.baseUrl) } : {})}
                aria-label={`Video player: ${video.title}`}
                onError={() => {
                  setPlayError(true);
                }}
              />
            </div>
            {playError && (
              <ErrorMessage>This video cannot be played here: the link may have just been revoked, or this browser cannot play it.</ErrorMessage>
            )}
            <div className="player-details">
              <h1 className="player-title">{video.title}</h1>
              <p className="page-subtitle">
                Shared with you
                {video.duration_seconds !== null && ` · ${formatDuration(video.duration_seconds)}`}
                {video.expires_at && ` · link valid until ${new Date(video.expires_at).toLocaleString()}`}
              </p>
            </div>
          </article>
        )}
      </main>
    </div>
  );
}
