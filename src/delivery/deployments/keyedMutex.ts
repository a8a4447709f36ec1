/**
 * One lock per key (a deployment's name): work queued under the same key runs one at a time, in the order
 * it was queued, so a user's promote never interleaves with the tick loop's step on the same rollout.
 * Different keys never wait for each other.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => done);
    this.tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      // The last holder leaves no entry behind, so the map does not grow with every deployment ever seen.
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /** Whether work holds or waits for `key`. */
  isBusy(key: string): boolean {
    return this.tails.has(key);
  }
}
