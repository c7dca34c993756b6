import type { Video } from "./client";

/** A ready video resource for tests, numbered so lists sort by creation time. */
export function testVideo(n: number, id = `65f0000000000000000000${String(n).padStart(2, "0")}`): Video {
  const base = `/api/v1/videos/${id}`;
  return {
    id,
    title: `Clip ${n}`,
    filename: `clip${n}.webm`,
    content_type: "video/webm",
    size: 120_000,
    created_at: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    stream_url: `${base}/stream?token=t${n}`,
    status: "ready",
    processing_error: null,
    progress: 100,
    duration_seconds: 60 + n,
    width: 1280,
    height: 720,
    video_codec: "vp9",
    audio_codec: "opus",
    playback_url: `${base}/playback?token=t${n}`,
    poster_url: `${base}/poster?token=t${n}`,
    storyboard_url: `${base}/storyboard?token=t${n}`,
  };
}
