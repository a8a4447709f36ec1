import { describe, expect, it } from "vitest";
import { GpuAllocator } from "./gpuAllocator.js";
import type { Gpu } from "./gpuInventory.js";

const twoA100AndOneT4: Gpu[] = [
  { index: 0, name: "A100" },
  { index: 1, name: "A100" },
  { index: 2, name: "T4" },
];

describe("GpuAllocator", () => {
  it("never leases one GPU to two holders at once", async () => {
    const allocator = new GpuAllocator(async () => [{ index: 0, name: "gpu" }]);
    const first = await allocator.acquire(1);
    let secondGranted = false;
    const second = allocator.acquire(1).then((lease) => {
      secondGranted = true;
      return lease;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(secondGranted).toBe(false);
    first.release();
    const lease = await second;
    expect(lease.indices).toEqual([0]);
    expect(allocator.busyIndices()).toEqual([0]);
    lease.release();
    expect(allocator.busyIndices()).toEqual([]);
  });

  it("serves waiting requests in arrival order even when a later one would fit first", async () => {
    const allocator = new GpuAllocator(async () => twoA100AndOneT4);
    const held = await allocator.acquire(1, "A100");
    const order: string[] = [];
    const big = allocator.acquire(2, "A100").then((lease) => {
      order.push("big");
      return lease;
    });
    const small = allocator.acquire(1, "A100").then((lease) => {
      order.push("small");
      return lease;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    held.release();
    const bigLease = await big;
    expect(bigLease.indices).toEqual([0, 1]);
    bigLease.release();
    await small;
    expect(order).toEqual(["big", "small"]);
  });

  it("leases only GPUs of the requested type", async () => {
    const allocator = new GpuAllocator(async () => twoA100AndOneT4);
    const lease = await allocator.acquire(1, "t4");
    expect(lease.indices).toEqual([2]);
  });

  it("fails at once when the machine could never satisfy the request", async () => {
    const allocator = new GpuAllocator(async () => twoA100AndOneT4);
    await expect(allocator.acquire(2, "T4")).rejects.toThrow(
      /2 GPU\(s\) of type 'T4' requested but this machine has 1/,
    );
    await expect(allocator.acquire(1, "H100")).rejects.toThrow(/has 0/);
  });

  it("drops a waiting request whose signal aborts and serves the next one", async () => {
    const allocator = new GpuAllocator(async () => [{ index: 0, name: "gpu" }]);
    const held = await allocator.acquire(1);
    const controller = new AbortController();
    const abandoned = allocator.acquire(1, undefined, controller.signal);
    const next = allocator.acquire(1);
    controller.abort(new Error("stage cancelled"));
    await expect(abandoned).rejects.toThrow("stage cancelled");
    held.release();
    expect((await next).indices).toEqual([0]);
  });

  it("leases at once with tryAcquire only when the GPUs are free and nobody waits", async () => {
    const allocator = new GpuAllocator(async () => [{ index: 0, name: "gpu" }]);
    expect(allocator.tryAcquire(1)).toBeUndefined();
    await allocator.load();
    const first = allocator.tryAcquire(1);
    expect(first?.indices).toEqual([0]);
    expect(allocator.tryAcquire(1)).toBeUndefined();
    const waiting = allocator.acquire(1);
    await new Promise((resolve) => setImmediate(resolve));
    first?.release();
    // The queued request was served first; tryAcquire does not jump the queue.
    expect(allocator.tryAcquire(1)).toBeUndefined();
    (await waiting).release();
    expect(allocator.tryAcquire(1)?.indices).toEqual([0]);
  });

  it("reads the inventory once, on the first request", async () => {
    let reads = 0;
    const allocator = new GpuAllocator(async () => {
      reads++;
      return [{ index: 0, name: "gpu" }];
    });
    expect(reads).toBe(0);
    (await allocator.acquire(1)).release();
    (await allocator.acquire(1)).release();
    expect(reads).toBe(1);
  });
});
