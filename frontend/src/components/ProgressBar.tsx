import type { UploadProgress } from "../upload/progress";
import { formatBytes, formatSpeed } from "../lib/format";

/** A real progressbar: aria values for assistive tech, percent, bytes and speed for the eye. */
export function ProgressBar({ progress, label, done = false }: { progress: UploadProgress; label: string; done?: boolean }) {
  const { loaded, total, percent, bytesPerSecond } = progress;
  const detail = `${formatBytes(loaded)} of ${formatBytes(total)}`;
  const text = done ? `${percent}% · ${detail}` : `${percent}% · ${detail} · ${formatSpeed(bytesPerSecond)}`;
  return (
    <div className="progress">
      <div
        className={done ? "progress-track progress-done" : "progress-track"}
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={text}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <div className="progress-text">
        <span className="progress-percent">{percent}%</span>
        <span>{detail}</span>
        {!done && <span>{formatSpeed(bytesPerSecond)}</span>}
      </div>
    </div>
  );
}
