import { describe, expect, it } from "vitest";
import { ProgressMeter, progressOf } from "./progress";
import { SpeedMeter } from "./speed";

describe("progressOf", () => {
  it("floors the percent and caps it at 100", () => {
    expect(progressOf(999, 1000, null).percent).toBe(99);
    expect(progressOf(2000, 1000, null).percent).toBe(100);
    expect(progressOf(0, 0, null).percent).toBe(0);
  });
});

describe("SpeedMeter", () => {
  it("averages over a sliding window", () => {
    const meter = new SpeedMeter(3000);
    expect(meter.record(0, 0)).toBeNull();
    expect(meter.record(1000, 1000)).toBe(1000);
    expect(meter.record(2000, 2000)).toBe(1000);
    // A fast burst after the window moves: old samples drop out.
    expect(meter.record(5000, 2000)).toBeCloseTo(0, 5);
    // 10 000 bytes since the oldest sample kept (at 2 s), over 4 s.
    expect(meter.record(6000, 12000)).toBe(2500);
  });
});

describe("ProgressMeter", () => {
  it("reports bytes, percent and speed", () => {
    const times = [0, 1000, 2000];
    const meter = new ProgressMeter(() => times.shift() ?? 0);
    expect(meter.record(0, 4000)).toEqual({ loaded: 0, total: 4000, percent: 0, bytesPerSecond: null });
    expect(meter.record(1000, 4000)).toMatchObject({ percent: 25, bytesPerSecond: 1000 });
    expect(meter.record(3000, 4000)).toMatchObject({ percent: 75, bytesPerSecond: 1500 });
  });

  it("counts speed again after a resume, not over the pause nor bytes the server never stored", () => {
    const times = [0, 1000, 61_000, 62_000];
    const meter = new ProgressMeter(() => times.shift() ?? 0);
    meter.record(0, 10_000);
    meter.record(4000, 10_000);
    meter.restart(); // paused a minute, resumed
    expect(meter.record(3000, 10_000).bytesPerSecond).toBeNull(); // back to the stored offset
    expect(meter.record(5000, 10_000).bytesPerSecond).toBe(2000);
  });
});
