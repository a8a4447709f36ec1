import { describe, expect, it } from "vitest";
import type { PlotConversionError } from "./vegaConverter.js";
import { getDatapoints, VegaConverter } from "./vegaConverter.js";

/** Expected values printed by dvc 3.67.1's own VegaConverter for the same inputs. */
describe("VegaConverter", () => {
  it("tags a single y series with revision, file and field, and labels the axes", () => {
    const [datapoints, props] = new VegaConverter(
      "loss.csv",
      {
        "loss.csv": [
          { step: "0", loss: "1" },
          { step: "1", loss: "0.5" },
        ],
      },
      { x: "step", y: "loss" },
    ).flatDatapoints("workspace");
    expect(datapoints).toEqual([
      { step: "0", loss: "1", rev: "workspace", filename: "loss.csv", field: "loss" },
      { step: "1", loss: "0.5", rev: "workspace", filename: "loss.csv", field: "loss" },
    ]);
    expect(JSON.stringify(props)).toBe(
      JSON.stringify({
        x: "step",
        y: "loss",
        y_label: "loss",
        x_label: "step",
        anchors_y_definitions: [{ filename: "loss.csv", field: "loss" }],
      }),
    );
  });

  it("infers y as the last field of the first list of mappings, and x as the row index", () => {
    const [datapoints, props] = new VegaConverter(
      "m.json",
      {
        "m.json": {
          train: [
            { a: 1, b: 2 },
            { a: 3, b: 4 },
          ],
          n: 1,
        },
      },
      {},
    ).flatDatapoints("workspace");
    expect(datapoints).toEqual([
      { a: 1, b: 2, step: 0, rev: "workspace", filename: "m.json", field: "b" },
      { a: 3, b: 4, step: 1, rev: "workspace", filename: "m.json", field: "b" },
    ]);
    expect(Object.keys(props)).toEqual(["y", "y_label", "x_label", "x", "anchors_y_definitions"]);
    expect(props.y).toBe("b");
  });

  it("unifies several y fields of several files under one inferred field, file names without their common prefix", () => {
    const [datapoints, props] = new VegaConverter(
      "multi",
      { "a/x.csv": [{ s: "0", l: "1", k: "2" }], "a/y.csv": [{ s: "0", l: "3" }] },
      { x: "s", y: { "a/x.csv": ["l", "k"], "a/y.csv": "l" } },
    ).flatDatapoints("workspace");
    expect(datapoints.map((d) => [d.dvc_inferred_y_value, d.filename, d.field])).toEqual([
      ["1", "x.csv", "l"],
      ["2", "x.csv", "k"],
      ["3", "y.csv", "l"],
    ]);
    expect(props).toMatchObject({ x: "s", y: "dvc_inferred_y_value", y_label: "y", x_label: "s" });
  });

  it("joins x from another file row by row", () => {
    const [datapoints, props] = new VegaConverter(
      "p",
      { "x.json": [{ t: 1 }, { t: 2 }], "y.json": [{ v: 5 }, { v: 6 }] },
      { x: { "x.json": "t" }, y: { "y.json": "v" } },
    ).flatDatapoints("workspace");
    expect(datapoints).toEqual([
      { v: 5, t: 1, rev: "workspace", filename: "y.json", field: "v" },
      { v: 6, t: 2, rev: "workspace", filename: "y.json", field: "v" },
    ]);
    expect(props).toMatchObject({ x: "t", y: "v", x_label: "t", y_label: "v" });
  });

  it("fails as dvc does on an unknown field and on series of different lengths", () => {
    const fail = (
      data: Record<string, unknown>,
      props: Record<string, unknown>,
      id = "p",
    ): PlotConversionError => {
      try {
        new VegaConverter(id, data, props).flatDatapoints("r");
      } catch (error) {
        return error as PlotConversionError;
      }
      throw new Error("expected a failure");
    };
    const unknown = fail({ "loss.csv": [{ step: "0" }] }, { y: "nope" }, "loss.csv");
    expect([unknown.type, unknown.message]).toEqual([
      "FieldNotFoundError",
      "Could not find provided field ('nope') in data fields ('step').",
    ]);
    const lengths = fail(
      { "x.json": [{ t: 1 }], "y.json": [{ v: 5 }, { v: 6 }] },
      { x: { "x.json": "t" }, y: { "y.json": "v" } },
    );
    expect([lengths.type, lengths.message]).toEqual([
      "DvcException",
      "Cannot join 't' from 'x.json' and 'v' from 'y.json'. They have to have same length.",
    ]);
  });

  it("merges lists of uniform mappings by index and skips the others", () => {
    expect(getDatapoints({ a: [{ x: 1 }, { x: 2 }], b: { c: [{ y: 3 }] }, d: [{ z: 1 }, { w: 2 }] })).toEqual(
      [{ x: 1, y: 3 }, { x: 2 }],
    );
  });
});
