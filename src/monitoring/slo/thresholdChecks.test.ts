import { describe, expect, it } from "vitest";
import { checkDriftShare, checkThroughput } from "./thresholdChecks.js";

const throughput = { kind: "throughput", id: "throughput", minRps: 10, windowMs: 300_000 } as const;
const drift = { kind: "drift", id: "drift", maxShare: 0.5 } as const;

describe("threshold objectives", () => {
  it("fires the throughput floor when the mean rate over the window is below it", () => {
    expect(checkThroughput(throughput, () => ({ good: 2700, total: 2700 }), 1e9)).toEqual({
      rps: 9,
      minRps: 10,
      firing: true,
    });
    expect(checkThroughput(throughput, () => ({ good: 3000, total: 3000 }), 1e9).firing).toBe(false);
  });

  it("counts requests over the objective's window ending now", () => {
    let window: [number, number] = [0, 0];
    checkThroughput(
      throughput,
      (from, to) => {
        window = [from, to];
        return { good: 0, total: 0 };
      },
      1_000_000,
    );
    expect(window).toEqual([700_000, 1_000_000]);
  });

  it("fires the drift ceiling when the share reaches it, as dataset drift is declared", () => {
    expect(checkDriftShare(drift, 0.5).firing).toBe(true);
    expect(checkDriftShare(drift, 0.45).firing).toBe(false);
  });
});
