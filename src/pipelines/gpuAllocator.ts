/**
 * Hands GPUs to stages that run at the same time, never one GPU to two stages. Requests are served in
 * arrival order: a request that cannot be met yet holds the ones behind it, so a stage asking for many GPUs
 * is not starved by a stream of small requests. A request no inventory could ever meet fails at once,
 * instead of waiting forever. It does not read the hardware (gpuInventory does) nor start processes.
 */
import { FlowOpsError } from "../errors.js";
import { gpuMatchesType, type Gpu } from "./gpuInventory.js";

export interface GpuLease {
  /** The GPU indices granted, ascending; what CUDA_VISIBLE_DEVICES should name. */
  readonly indices: readonly number[];
  /** Gives the GPUs back; calling it twice is harmless. */
  release(): void;
}

interface Waiter {
  count: number;
  type: string | undefined;
  grant: (lease: GpuLease) => void;
}

export class GpuAllocator {
  private inventory: Promise<readonly Gpu[]> | undefined;
  private loaded: readonly Gpu[] | undefined;
  private readonly busy = new Set<number>();
  private readonly queue: Waiter[] = [];

  /** `loadInventory` is called once, on the first request, so pipelines without GPU stages never probe. */
  constructor(private readonly loadInventory: () => Promise<readonly Gpu[]>) {}

  /** Resolves when `count` GPUs (of `type`, when given) are free for the caller alone. */
  async acquire(count: number, type?: string, signal?: AbortSignal): Promise<GpuLease> {
    if (!Number.isInteger(count) || count < 1) {
      throw new FlowOpsError("INVALID_PARAMETER_VALUE", `gpus must be a positive integer, got ${count}`);
    }
    this.inventory ??= this.loadInventory();
    const gpus = await this.inventory;
    const eligible = gpus.filter((gpu) => gpuMatchesType(gpu, type));
    if (eligible.length < count) {
      const what = type === undefined ? "" : ` of type '${type}'`;
      const have = gpus.length === 0 ? "none" : gpus.map((gpu) => `${gpu.index}:${gpu.name}`).join(", ");
      throw new FlowOpsError(
        "RESOURCE_EXHAUSTED",
        `${count} GPU(s)${what} requested but this machine has ${eligible.length} (GPUs: ${have}; FLOWOPS_GPUS overrides)`,
      );
    }
    signal?.throwIfAborted();
    return new Promise<GpuLease>((resolve, reject) => {
      const waiter: Waiter = { count, type, grant: resolve };
      const onAbort = (): void => {
        const at = this.queue.indexOf(waiter);
        if (at < 0) return;
        this.queue.splice(at, 1);
        reject(signal?.reason);
        this.serve(gpus);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      waiter.grant = (lease) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(lease);
      };
      this.queue.push(waiter);
      this.serve(gpus);
    });
  }

  /** Reads the inventory now, so `tryAcquire` can answer; failures surface again in `acquire`. */
  async load(): Promise<void> {
    this.inventory ??= this.loadInventory();
    try {
      this.loaded = await this.inventory;
    } catch {
      // acquire() awaits the same promise and reports the error to the stage that needs GPUs.
    }
  }

  /**
   * A lease at once when `count` GPUs are free and nobody is queued before the caller; undefined otherwise
   * (also before `load`, and for requests no inventory can meet: `acquire` explains those).
   */
  tryAcquire(count: number, type?: string): GpuLease | undefined {
    if (this.loaded === undefined || this.queue.length > 0) return undefined;
    const free = this.loaded
      .filter((gpu) => !this.busy.has(gpu.index) && gpuMatchesType(gpu, type))
      .sort((a, b) => a.index - b.index);
    if (free.length < count) return undefined;
    return this.lease(
      free.slice(0, count).map((gpu) => gpu.index),
      this.loaded,
    );
  }

  /** GPU indices currently leased, for diagnostics. */
  busyIndices(): number[] {
    return [...this.busy].sort((a, b) => a - b);
  }

  private serve(gpus: readonly Gpu[]): void {
    for (;;) {
      const head = this.queue[0];
      if (head === undefined) return;
      const free = gpus
        .filter((gpu) => !this.busy.has(gpu.index) && gpuMatchesType(gpu, head.type))
        .sort((a, b) => a.index - b.index);
      if (free.length < head.count) return;
      this.queue.shift();
      head.grant(
        this.lease(
          free.slice(0, head.count).map((gpu) => gpu.index),
          gpus,
        ),
      );
    }
  }

  private lease(indices: number[], gpus: readonly Gpu[]): GpuLease {
    for (const index of indices) this.busy.add(index);
    let released = false;
    return {
      indices,
      release: () => {
        if (released) return;
        released = true;
        for (const index of indices) this.busy.delete(index);
        this.serve(gpus);
      },
    };
  }
}
