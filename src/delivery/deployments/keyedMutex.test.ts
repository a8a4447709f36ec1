import { describe, expect, it } from "vitest";
import { KeyedMutex } from "./keyedMutex.js";

describe("KeyedMutex", () => {
  it("runs work under one key one at a time, in order, and releases after a failure", async () => {
    const mutex = new KeyedMutex();
    const order: string[] = [];
    let release = (): void => undefined;
    const first = mutex.run("a", async () => {
      order.push("first start");
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      order.push("first end");
      throw new Error("boom");
    });
    const second = mutex.run("a", () => {
      order.push("second");
      return Promise.resolve(2);
    });
    const other = await mutex.run("b", () => Promise.resolve("b ran"));
    expect(other).toBe("b ran");
    await Promise.resolve();
    release();
    await expect(first).rejects.toThrow("boom");
    expect(await second).toBe(2);
    expect(order).toEqual(["first start", "first end", "second"]);
    expect(mutex.isBusy("a")).toBe(false);
  });
});
