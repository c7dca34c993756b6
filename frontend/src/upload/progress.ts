/** What an upload row shows while bytes go out: counted in the file's bytes, with a speed. */
import { SpeedMeter } from "./speed";

export interface UploadProgress {
  loaded: number;
  total: number;
  percent: number;
  bytesPerSecond: number | null;
}

export function progressOf(loaded: number, total: number, bytesPerSecond: number | null): UploadProgress {
  const percent = total > 0 ? Math.min(100, Math.floor((loaded / total) * 100)) : 0;
  return { loaded, total, percent, bytesPerSecond };
}

/**
 * Progress with speed over a sliding window. A resumed upload starts its
 * count again: the time it stood still, or bytes sent before a cut that the
 * server never stored, are no part of its speed.
 */
export class ProgressMeter {
  private meter = new SpeedMeter();
  private last = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  restart(): void {
    this.meter = new SpeedMeter();
  }

  record(loaded: number, total: number): UploadProgress {
    if (loaded < this.last) this.restart();
    this.last = loaded;
    return progressOf(loaded, total, this.meter.record(this.now(), loaded));
  }
}
