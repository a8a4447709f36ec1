import { afterEach, describe, expect, it, vi } from "vitest";
import { formatDvcTable, formatTable, printJson } from "./output.js";

describe("printJson", () => {
  afterEach(() => vi.restoreAllMocks());

  function printed(value: unknown): string {
    const write = vi.spyOn(process.stdout, "write").mockImplementation(() => true);
    printJson(value);
    return write.mock.calls.map(([chunk]) => String(chunk)).join("");
  }

  // Regression: `runs show --json` printed a NaN metric as null.
  it("writes non-finite numbers as the tracking API does, not as null", () => {
    const metrics = [
      { key: "loss", value: Number.NaN },
      { key: "up", value: Number.POSITIVE_INFINITY },
      { key: "down", value: Number.NEGATIVE_INFINITY },
    ];
    expect(JSON.parse(printed({ metrics }))).toEqual({
      metrics: [
        { key: "loss", value: "NaN" },
        { key: "up", value: "Infinity" },
        { key: "down", value: "-Infinity" },
      ],
    });
  });

  it("writes int64 values above 2**53 with all their digits, and leaves strings alone", () => {
    const text = printed({ step: 2 ** 62, neg: -(2 ** 60), big: 1e300, s: "\u0000x:1" });
    expect(text).toContain('"step": 4611686018427387904');
    expect(text).toContain('"neg": -1152921504606846976');
    expect(text).toContain('"big": 1e+300');
    expect(JSON.parse(text)).toMatchObject({ s: "\u0000x:1" });
  });

  it("leaves every other value as JSON.stringify writes it, indented by two spaces", () => {
    const value = { n: 1.5, s: "NaN", none: null, skipped: undefined, list: [0, -2], at: new Date(0) };
    expect(printed(value)).toBe(`${JSON.stringify(value, null, 2)}\n`);
  });
});

describe("formatTable", () => {
  it("aligns columns and trims trailing blanks", () => {
    expect(formatTable(["a", "bb"], [["abc", ""]])).toBe("a    bb\nabc");
  });
});

describe("formatDvcTable", () => {
  it("pads as dvc's tables do: header plus two, two spaces apart, no trailing spaces", () => {
    // Observed: `dvc metrics diff` and `dvc metrics show` (dvc 3.67.1) on the same files.
    expect(
      formatDvcTable(["Path", "Metric", "HEAD", "workspace", "Change"], [["a.yaml", "k", "1", "2", "1"]]),
    ).toBe("Path    Metric    HEAD    workspace    Change\na.yaml  k         1       2            1");
    expect(
      formatDvcTable(
        ["Path", "alpha.b", "alpha.y", "c", "k", "mid", "zeta"],
        [["m.json", "3", "2", "-", "-", "0.5", "1"]],
      ),
    ).toBe(
      "Path    alpha.b    alpha.y    c    k    mid    zeta\nm.json  3          2          -    -    0.5    1",
    );
  });
});
