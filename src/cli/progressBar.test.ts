import { describe, expect, it } from "vitest";
import { createProgress, formatAmount } from "./progressBar.js";

function fakeStream(isTTY: boolean): {
  write(text: string): void;
  isTTY: boolean;
  columns: number;
  text: string;
} {
  return {
    isTTY,
    columns: 120,
    text: "",
    write(chunk: string) {
      this.text += chunk;
    },
  };
}

describe("createProgress", () => {
  it("prints nothing when disabled (--json)", () => {
    const stream = fakeStream(true);
    const sink = createProgress("Adding", 10, { enabled: false, stream });
    sink.advance(5);
    sink.done();
    expect(stream.text).toBe("");
  });

  it("draws an in-place bar with rate and ETA on a terminal", () => {
    let now = 0;
    const stream = fakeStream(true);
    const sink = createProgress("Adding", 4096, { stream, now: () => now });
    now = 1000;
    sink.advance(1024);
    expect(stream.text).toContain(
      "\rAdding: [######..................] 25% 1.0KiB/4.0KiB (1.0KiB/s, ETA 3s)",
    );
    sink.done();
    expect(stream.text.endsWith("\n")).toBe(true);
  });

  it("writes plain lines at most every 2 s off a terminal, and nothing for quick work", () => {
    let now = 0;
    const quiet = fakeStream(false);
    const fast = createProgress("Pushing", 3, { stream: quiet, now: () => now, unit: "count" });
    fast.advance(3);
    fast.done();
    expect(quiet.text).toBe("");

    const stream = fakeStream(false);
    const sink = createProgress("Pushing", 10, { stream, now: () => now, unit: "count" });
    now = 2500;
    sink.advance(5);
    now = 3000;
    sink.advance(1);
    expect(stream.text.split("\n").filter(Boolean)).toHaveLength(1);
    now = 5000;
    sink.advance(4);
    sink.done();
    expect(stream.text.split("\n").filter(Boolean)).toEqual([
      "Pushing: 50% 5/10 (2/s, ETA 3s)",
      "Pushing: 100% 10/10 (2/s, ETA 0s)",
      "Pushing: 100% 10/10 (2/s, ETA 0s)",
    ]);
  });

  it("scales byte amounts", () => {
    expect(formatAmount(512, "bytes")).toBe("512B");
    expect(formatAmount(3 * 1024 * 1024, "bytes")).toBe("3.0MiB");
  });
});
