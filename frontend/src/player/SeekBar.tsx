import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
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

/** Whether the pointer is held down on the bar: until it is let go anywhere on the page. */
function useDragging() {
  const [dragging, setDragging] = useState(false);
  useEffect(() => {
    if (!dragging) return;
    const stop = () => {
      setDragging(false);
    };
    window.addEventListener("pointerup", stop);
    window.addEventListener("pointercancel", stop);
    return () => {
      window.removeEventListener("pointerup", stop);
      window.removeEventListener("pointercancel", stop);
    };
  }, [dragging]);
  return [dragging, setDragging] as const;
}

/**
 * Keeps the preview inside the player: centred over its moment, but pushed in
 * near either end rather than cut off by the frame's edge.
 */
function keepInsidePlayer(preview: HTMLElement): void {
  preview.style.translate = "";
  const bounds = preview.closest(".player-frame")?.getBoundingClientRect();
  if (!bounds) return;
  const box = preview.getBoundingClientRect();
  const shift = box.left < bounds.left ? bounds.left - box.left : box.right > bounds.right ? bounds.right - box.right : 0;
  if (shift !== 0) preview.style.translate = `${shift}px 0`;
}

/**
 * A real range input (keyboard and screen readers know it), with the time
 * under the pointer above it while it hovers, and the time the thumb is
 * dragged to while it drags (wherever the pointer has wandered meanwhile).
 */
export function SeekBar({ currentTime, duration, onSeek, renderPreview }: SeekBarProps) {
  const track = useRef<HTMLDivElement>(null);
  const previewRef = useRef<HTMLDivElement>(null);
  const [hover, setHover] = useState<{ seconds: number; fraction: number } | null>(null);
  const [dragging, setDragging] = useDragging();
  const known = Number.isFinite(duration) && duration > 0;
  const value = known ? clamp(currentTime, 0, duration) : 0;
  const shown = dragging && known ? { seconds: value, fraction: value / duration } : hover;
  const fraction = shown?.fraction ?? null;
  useLayoutEffect(() => {
    if (previewRef.current) keepInsidePlayer(previewRef.current);
  }, [fraction]);

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
        value={value}
        disabled={!known}
        aria-label="Seek"
        aria-valuetext={`${formatDuration(currentTime)} of ${formatDuration(duration)}`}
        onPointerDown={() => {
          setDragging(true);
        }}
        onChange={(event) => {
          onSeek(Number(event.target.value));
        }}
      />
      {shown && (
        <div
          ref={previewRef}
          className="seek-preview"
          style={{ left: `${shown.fraction * 100}%` }}
          data-seconds={shown.seconds.toFixed(2)}
          aria-hidden="true"
        >
          {renderPreview?.(shown.seconds)}
          <span className="seek-preview-time">{formatDuration(shown.seconds)}</span>
        </div>
      )}
    </div>
  );
}
