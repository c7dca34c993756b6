/** Upload speed over a sliding window, so one slow or fast burst does not dominate. */
export class SpeedMeter {
  private samples: { at: number; loaded: number }[] = [];

  constructor(private readonly windowMs = 3000) {}

  /** Records `loaded` bytes at time `at` (ms); returns bytes per second, or null until measurable. */
  record(at: number, loaded: number): number | null {
    this.samples.push({ at, loaded });
    while (this.samples.length > 2 && at - (this.samples[1]?.at ?? at) >= this.windowMs) this.samples.shift();
    const first = this.samples[0];
    if (!first) return null;
    const elapsed = at - first.at;
    return elapsed > 0 ? ((loaded - first.loaded) * 1000) / elapsed : null;
  }
}
