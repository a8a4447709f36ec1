import { describe, expect, it } from "vitest";
import type { Metric } from "../../../tracking/entities.js";
import { toWireJson } from "../../../wireJson.js";
import { withoutEmptyRepeated } from "../../wire.js";
import { metricHistoryPageJson } from "./metricHistoryJson.js";

/** What the generic RPC path writes for the same page: the bytes metricHistoryPageJson must match. */
const generic = (page: { metrics: Metric[]; next_page_token?: string }) =>
  toWireJson(withoutEmptyRepeated(page));

const NUMBERS: (number | bigint)[] = [
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  -0,
  0,
  1,
  -1,
  0.1,
  1 / 3,
  1e21,
  1e20,
  -1e21,
  1e-7,
  1e-6,
  5e-324,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  Number.MAX_SAFE_INTEGER,
  -Number.MAX_SAFE_INTEGER,
  2 ** 53,
  -(2 ** 53),
  2 ** 60,
  2 ** 63,
  -(2 ** 63),
  2 ** 63 - 2 ** 10,
  2 ** 64,
  4.35,
  2n ** 53n + 1n,
  2n ** 63n - 1n,
  -(2n ** 63n),
];

describe("metricHistoryPageJson", () => {
  it("writes what toWireJson writes for every double and int64 spelling", () => {
    const metrics: Metric[] = [];
    for (const value of NUMBERS) {
      for (const int64 of NUMBERS) {
        if (typeof value === "number") metrics.push({ key: "k", value, timestamp: int64, step: int64 });
        metrics.push({ key: "k", value: 1, timestamp: int64, step: 0 });
      }
    }
    const page = { metrics };
    expect(metricHistoryPageJson(page)).toBe(generic(page));
  });

  it("writes random doubles as toWireJson does", () => {
    const view = new DataView(new ArrayBuffer(8));
    const metrics: Metric[] = Array.from({ length: 5000 }, (_, i) => {
      view.setUint32(0, (Math.random() * 2 ** 32) >>> 0);
      view.setUint32(4, (Math.random() * 2 ** 32) >>> 0);
      return { key: "loss", value: view.getFloat64(0), timestamp: i * 7919, step: -i };
    });
    const page = { metrics };
    expect(metricHistoryPageJson(page)).toBe(generic(page));
  });

  it("escapes keys as JSON.stringify does and writes the page token after the points", () => {
    for (const key of [
      'a"b\\c',
      "tab\there\n",
      "\u0000\u001f\u007f",
      "ünï/ ✓",
      "\ud800 lone",
      "",
      "</script>",
    ]) {
      const page = {
        metrics: [
          { key, value: 1, timestamp: 2, step: 3 },
          { key: `${key}2`, value: 4, timestamp: 5, step: 6 },
        ],
        next_page_token: "eyJvZmZzZXQiOjN9",
      };
      expect(metricHistoryPageJson(page)).toBe(generic(page));
    }
  });

  it("leaves out an empty history as protobuf's JSON does", () => {
    expect(metricHistoryPageJson({ metrics: [] })).toBe("{}");
    expect(metricHistoryPageJson({ metrics: [] })).toBe(generic({ metrics: [] }));
  });
});
