/**
 * Our own controls over <video>: keyboard shortcuts that work wherever focus
 * is on the page (each announced), a speed menu, the time under the pointer on
 * the seek bar, resuming where the person stopped, and an error state with
 * "Try again" and "Download".
 */
import { useCallback, useEffect, useRef, useState, type ReactNode } from "react";
import { formatDuration } from "../lib/format";
import { playbackRefusal } from "./refusal";
import { resumePoint, savePosition } from "./resume";
import { SeekBar } from "./SeekBar";
import { commandFor, keyBelongsToTarget, type PlayerCommand } from "./shortcuts";

export const SPEEDS = [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2] as const;
/** How often, in seconds of playback, the position is written down. */
const SAVE_EVERY = 2;

interface VideoPlayerProps {
  videoId: string;
  src: string;
  /** A still shown before playing starts. */
  poster?: string | null;
  title: string;
  downloadUrl: string;
  downloadName: string;
  /** "MP4", "MKV": named when the browser cannot play the file. */
  formatLabel: string;
  /** Storyboard frames for the seek bar, once they exist. */
  seekPreview?: (seconds: number) => ReactNode;
}

function Icon({ path }: { path: string }) {
  return (
    <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
      <path d={path} fill="currentColor" />
    </svg>
  );
}

const ICONS = {
  play: "M8 5v14l11-7z",
  pause: "M6 5h4v14H6zm8 0h4v14h-4z",
  volume: "M3 9v6h4l5 5V4L7 9H3zm13.5 3A4.5 4.5 0 0 0 14 8v8a4.5 4.5 0 0 0 2.5-4z",
  muted: "M3 9v6h4l5 5V4L7 9H3zm13.6 3 2.7-2.7-1.4-1.4-2.7 2.7-2.7-2.7-1.4 1.4 2.7 2.7-2.7 2.7 1.4 1.4 2.7-2.7 2.7 2.7 1.4-1.4z",
  fullscreen: "M5 5h5v2H7v3H5zm9 0h5v5h-2V7h-3zM5 14h2v3h3v2H5zm12 0h2v5h-5v-2h3z",
};

function failureText(video: HTMLVideoElement, formatLabel: string): string {
  return video.error?.code === MediaError.MEDIA_ERR_SRC_NOT_SUPPORTED
    ? `This browser cannot play this ${formatLabel} file, or it could not be loaded.`
    : "The video stopped loading.";
}

/** A polite live region; the same words twice in a row still count as news. */
function useAnnouncer() {
  const [text, setText] = useState("");
  const flip = useRef(false);
  const announce = useCallback((words: string) => {
    flip.current = !flip.current;
    setText(flip.current ? words : `${words}\u00a0`);
  }, []);
  return { text, announce };
}

export function VideoPlayer({ videoId, src, poster, title, downloadUrl, downloadName, formatLabel, seekPreview }: VideoPlayerProps) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const frameRef = useRef<HTMLDivElement>(null);
  const lastSaved = useRef(0);
  const seekAfterLoad = useRef<number | null>(null);
  const [playing, setPlaying] = useState(false);
  const [time, setTime] = useState(0);
  const [duration, setDuration] = useState(Number.NaN);
  const [muted, setMuted] = useState(false);
  const [rate, setRate] = useState(1);
  const [failure, setFailure] = useState<string | null>(null);
  const [resumeAt, setResumeAt] = useState<number | null>(null);
  const { text: announcement, announce } = useAnnouncer();

  const seekTo = useCallback((seconds: number) => {
    const video = videoRef.current;
    if (!video || !Number.isFinite(video.duration)) return null;
    video.currentTime = Math.min(video.duration, Math.max(0, seconds));
    setTime(video.currentTime);
    return video.currentTime;
  }, []);

  const togglePlay = useCallback(() => {
    const video = videoRef.current;
    if (!video) return;
    setResumeAt(null);
    if (video.paused || video.ended) void video.play().catch(() => undefined);
    else video.pause();
  }, []);

  const run = useCallback(
    (command: PlayerCommand) => {
      const video = videoRef.current;
      if (!video) return;
      switch (command.type) {
        case "toggle-play":
          announce(video.paused || video.ended ? "Playing" : "Paused");
          togglePlay();
          return;
        case "seek-by": {
          const at = seekTo(video.currentTime + command.seconds);
          if (at !== null) {
            const direction = command.seconds > 0 ? "Forward" : "Back";
            announce(`${direction} ${Math.abs(command.seconds)} seconds, ${formatDuration(at)}`);
          }
          return;
        }
        case "seek-to-fraction": {
          const at = seekTo(video.duration * command.fraction);
          if (at !== null) announce(`${Math.round(command.fraction * 100)}%, ${formatDuration(at)}`);
          return;
        }
        case "toggle-mute":
          video.muted = !video.muted;
          announce(video.muted ? "Muted" : "Sound on");
          return;
        case "toggle-fullscreen":
          if (document.fullscreenElement) {
            void document.exitFullscreen().catch(() => undefined);
            announce("Left full screen");
          } else {
            frameRef.current?.requestFullscreen().then(
              () => {
                announce("Full screen");
              },
              () => {
                announce("Full screen is not available");
              },
            );
          }
      }
    },
    [announce, seekTo, togglePlay],
  );

  // Shortcuts work wherever focus is on the page, except where the key means something to the focused element.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || keyBelongsToTarget(event.target, event.key)) return;
      const command = commandFor(event);
      if (!command) return;
      event.preventDefault();
      run(command);
    };
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("keydown", onKey);
    };
  }, [run]);

  // Where the person stopped is written down as they watch, and when they leave.
  useEffect(() => {
    const video = videoRef.current;
    const save = () => {
      if (video && Number.isFinite(video.duration)) savePosition(videoId, video.currentTime, video.duration);
    };
    window.addEventListener("pagehide", save);
    return () => {
      window.removeEventListener("pagehide", save);
      save();
    };
  }, [videoId]);

  function onLoadedMetadata() {
    const video = videoRef.current;
    if (!video) return;
    setDuration(video.duration);
    if (seekAfterLoad.current !== null) {
      seekTo(seekAfterLoad.current);
      seekAfterLoad.current = null;
      return;
    }
    setResumeAt(resumePoint(videoId, video.duration));
  }

  function onTimeUpdate() {
    const video = videoRef.current;
    if (!video) return;
    setTime(video.currentTime);
    if (Math.abs(video.currentTime - lastSaved.current) >= SAVE_EVERY) {
      lastSaved.current = video.currentTime;
      savePosition(videoId, video.currentTime, video.duration);
    }
  }

  function retry() {
    const video = videoRef.current;
    if (!video) return;
    seekAfterLoad.current = time;
    setFailure(null);
    video.load();
  }

  const resume = resumeAt;
  return (
    <div className="player-frame" ref={frameRef} role="region" aria-label={`Video player: ${title}`}>
      <div className="player-stage">
        <video
          ref={videoRef}
          className="player"
          playsInline
          preload="metadata"
          src={src}
          {...(poster ? { poster } : {})}
          onClick={togglePlay}
          onDoubleClick={() => {
            run({ type: "toggle-fullscreen" });
          }}
          onPlay={() => {
            setPlaying(true);
            setResumeAt(null);
          }}
          onPause={() => {
            setPlaying(false);
            const video = videoRef.current;
            if (video) savePosition(videoId, video.currentTime, video.duration);
          }}
          onEnded={() => {
            setPlaying(false);
            savePosition(videoId, duration, duration);
          }}
          onLoadedMetadata={onLoadedMetadata}
          onDurationChange={() => {
            setDuration(videoRef.current?.duration ?? Number.NaN);
          }}
          onTimeUpdate={onTimeUpdate}
          onVolumeChange={() => {
            setMuted(videoRef.current?.muted ?? false);
          }}
          onRateChange={() => {
            setRate(videoRef.current?.playbackRate ?? 1);
          }}
          onError={() => {
            const video = videoRef.current;
            if (!video) return;
            setFailure(failureText(video, formatLabel));
            // The server's reason, when it refused the bytes, says more than the browser can.
            void playbackRefusal(src).then((reason) => {
              if (reason) setFailure((shown) => (shown === null ? null : reason));
            });
          }}
        />
        {failure && (
          <div className="player-failure" role="alert">
            <p>{failure}</p>
            <div className="player-failure-actions">
              <button type="button" className="button button-primary" onClick={retry}>
                Try again
              </button>
              <a className="button" href={downloadUrl} download={downloadName}>
                Download
              </a>
            </div>
          </div>
        )}
        {resume !== null && !failure && (
          <div className="player-resume">
            <span>You stopped at {formatDuration(resume)}.</span>
            <button
              type="button"
              className="button button-primary button-small"
              onClick={() => {
                seekTo(resume);
                togglePlay();
              }}
            >
              Resume
            </button>
            <button
              type="button"
              className="button button-small"
              onClick={() => {
                setResumeAt(null);
                savePosition(videoId, 0, duration);
              }}
            >
              Start over
            </button>
          </div>
        )}
      </div>
      <div className="controls">
        <button type="button" className="control" aria-label={playing ? "Pause (k)" : "Play (k)"} onClick={togglePlay}>
          <Icon path={playing ? ICONS.pause : ICONS.play} />
        </button>
        <span className="control-time">
          {formatDuration(time)} / {formatDuration(duration)}
        </span>
        <SeekBar currentTime={time} duration={duration} onSeek={seekTo} {...(seekPreview ? { renderPreview: seekPreview } : {})} />
        <button
          type="button"
          className="control"
          aria-label={muted ? "Unmute (m)" : "Mute (m)"}
          onClick={() => {
            run({ type: "toggle-mute" });
          }}
        >
          <Icon path={muted ? ICONS.muted : ICONS.volume} />
        </button>
        <label className="control-speed">
          <span className="visually-hidden">Playback speed</span>
          <select
            value={rate}
            onChange={(event) => {
              const video = videoRef.current;
              if (video) video.playbackRate = Number(event.target.value);
            }}
          >
            {SPEEDS.map((speed) => (
              <option key={speed} value={speed}>
                {speed}×
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="control"
          aria-label="Full screen (f)"
          onClick={() => {
            run({ type: "toggle-fullscreen" });
          }}
        >
          <Icon path={ICONS.fullscreen} />
        </button>
      </div>
      <div className="visually-hidden" role="status" aria-live="polite">
        {announcement}
      </div>
    </div>
  );
}
