import type { Video } from "../api/client";
import { apiUrl } from "../config";
import { formatDuration } from "../lib/format";

/** A stable backdrop from the id, shown until (or instead of) the poster. */
function hue(id: string): number {
  let hash = 0;
  for (const char of id) hash = (hash * 31 + char.charCodeAt(0)) % 360;
  return hash;
}

export function formatLabel(contentType: string, filename: string): string {
  const subtype = contentType.split("/")[1] ?? "";
  const known: Record<string, string> = { quicktime: "MOV", "x-matroska": "MKV", "x-msvideo": "AVI" };
  return (known[subtype] ?? (subtype || filename.split(".").pop() || "video")).toUpperCase();
}

function ThumbStatus({ video }: { video: Video }) {
  if (video.status === "processing") {
    return (
      <span className="thumb-status">
        Processing {video.progress}%
        <span className="thumb-progress" role="progressbar" aria-label="Processing" aria-valuenow={video.progress}>
          <span style={{ width: `${String(video.progress)}%` }} />
        </span>
      </span>
    );
  }
  if (video.status === "failed") return <span className="thumb-status thumb-failed">Could not be processed</span>;
  return (
    <span className="thumb-play">
      <svg viewBox="0 0 24 24" width="22" height="22">
        <path d="M8 5v14l11-7z" fill="currentColor" />
      </svg>
    </span>
  );
}

export function VideoThumb({ video }: { video: Video }) {
  const base = hue(video.id);
  const style = {
    background: `linear-gradient(135deg, hsl(${base} 70% 45%), hsl(${(base + 50) % 360} 75% 30%))`,
  };
  return (
    <div className="thumb" style={style} aria-hidden="true">
      {video.poster_url && <img className="thumb-poster" src={apiUrl(video.poster_url)} alt="" loading="lazy" />}
      <ThumbStatus video={video} />
      <span className="thumb-badge">
        {video.duration_seconds === null ? formatLabel(video.content_type, video.filename) : formatDuration(video.duration_seconds)}
      </span>
    </div>
  );
}
