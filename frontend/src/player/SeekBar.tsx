import { useRef, useState, type ReactNode } from "react";
import { formatDuration } from "../lib/format";

interface SeekBarProps {
  currentTime: number;
  duration: number;
  onSeek: (seconds: number) => void;
  /**
   * Shown above the pointer for the time under it, beside that time: the slot
   * where storyboard frames go. Without it, only the time is shown.
   */
  renderPreview?: (seconds: number) => ReactNode;
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** A real range input (keyboard and screen readers know it), with the time under the pointer above it. */
export function SeekBar({ currentTime, duration, onSeek, renderPreview }: SeekBarProps) {
  const track = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<{ seconds: number; fraction: number } | null>(null);
  const known = Number.isFinite(duration) && duration > 0;

  function pointAt(clientX: number) {
    const rect = track.current?.getBoundingClientRect();
    if (!rect || rect.width === 0 || !known) return null;
    const fraction = clamp((clientX - rect.left) / rect.width, 0, 1);
    return { seconds: fraction * duration, fraction };
  }

  return (
    <div
      ref={track}
      className="seek"
      onPointerMove={(event) => {
        setHover(pointAt(event.clientX));
      }}
      onPointerLeave={() => {
        setHover(null);
      }}
    >
      <input
        type="range"
        className="seek-input"
        min={0}
        max={known ? duration : 0}
        step="any"
        value={known ? clamp(currentTime, 0, duration) : 0}
        disabled={!known}
        aria-label="Seek"
        aria-valuetext={`${formatDuration(currentTime)} of ${formatDuration(duration)}`}
        onChange={(event) => {
          onSeek(Number(event.target.value));
        }}
      />
      {hover && (
        <div className="seek-preview" style={{ left: `${hover.fraction * 100}%` }} data-seconds={hover.seconds.toFixed(2)} aria-hidden="true">
          {renderPreview?.(hover.seconds)}
          <span className="seek-preview-time">{formatDuration(hover.seconds)}</span>
        </div>
      )}
    </div>
  );
}
