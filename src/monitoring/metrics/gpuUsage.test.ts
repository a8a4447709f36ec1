import { describe, expect, it } from "vitest";
import { GpuUsageReader, parseNvidiaSmi } from "./gpuUsage.js";

describe("parseNvidiaSmi", () => {
  it("reads one GPU per line with utilisation as a ratio and memory in bytes", () => {
    expect(parseNvidiaSmi("0, 45, 1024, 81920\n1, 0, 0, 81920\n")).toEqual([
      { index: "0", utilization: 0.45, memoryUsedBytes: 1024 * 1048576, memoryTotalBytes: 81920 * 1048576 },
      { index: "1", utilization: 0, memoryUsedBytes: 0, memoryTotalBytes: 81920 * 1048576 },
    ]);
  });

  it("skips rows nvidia-smi could not fill", () => {
    expect(parseNvidiaSmi("0, [N/A], 10, 20\n")).toEqual([]);
  });
});

describe("GpuUsageReader", () => {
  it("reports no GPU when nvidia-smi is absent", async () => {
    const reader = new GpuUsageReader({ query: () => Promise.reject(new Error("spawn nvidia-smi ENOENT")) });
    expect(await reader.read()).toEqual([]);
  });

  it("reuses a reading for the cache period and asks again after it", async () => {
    let calls = 0;
    let now = 0;
    const reader = new GpuUsageReader({
      query: () => {
        calls += 1;
        return Promise.resolve(`0, ${calls}, 1, 2\n`);
      },
      now: () => now,
      cacheMs: 10_000,
    });
    expect((await reader.read())[0]?.utilization).toBe(0.01);
    now = 9_999;
    expect((await reader.read())[0]?.utilization).toBe(0.01);
    now = 10_000;
    expect((await reader.read())[0]?.utilization).toBe(0.02);
    expect(calls).toBe(2);
  });
});
