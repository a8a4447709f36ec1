import { describe, expect, it } from "vitest";
import { loadSeparatedValues, parsePlotData } from "./plotData.js";

describe("parsePlotData", () => {
  it("reads CSV as csv.DictReader does: quotes, blank lines, short and long rows", () => {
    expect(loadSeparatedValues('a,b\r\n1,"x,""y"""\n\n2\n3,4,5\n', ",", true)).toEqual([
      { a: "1", b: 'x,"y"' },
      { a: "2", b: null },
      { a: "3", b: "4", null: ["5"] },
    ]);
  });

  it("names headless columns by number, counting them with commas even in TSV (as dvc does)", () => {
    expect(parsePlotData("p.tsv", Buffer.from("1\t2\n3\t4\n"), { header: false })).toEqual({
      data: [
        { "0": "1", null: ["2"] },
        { "0": "3", null: ["4"] },
      ],
    });
  });

  it("regression: keeps a leading U+FEFF as dvc's utf-8 read does: in a CSV header, skipped in YAML, refused in JSON", () => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    expect(parsePlotData("p.csv", Buffer.concat([bom, Buffer.from("x,y\n1,2\n")]))).toEqual({
      data: [{ "\uFEFFx": "1", y: "2" }],
    });
    expect(parsePlotData("p.yaml", Buffer.concat([bom, Buffer.from("- x: 1\n  y: 2\n")]))).toEqual({
      data: [{ x: 1, y: 2 }],
    });
    expect(parsePlotData("p.json", Buffer.concat([bom, Buffer.from('[{"x": 1}]')]))).toEqual({
      error: {
        type: "JSONFileCorruptedError",
        msg: "unable to read: 'p.json', JSON file structure is corrupted",
      },
    });
  });

  it("parses JSON and YAML, keeps images as bytes, and reports bad files in dvc's words", () => {
    expect(parsePlotData("p.yaml", Buffer.from("- a: 1\n"))).toEqual({ data: [{ a: 1 }] });
    expect(parsePlotData("i.png", Buffer.from([1, 2]))).toEqual({ data: Buffer.from([1, 2]) });
    expect(parsePlotData("p.json", Buffer.from("{"))).toEqual({
      error: {
        type: "JSONFileCorruptedError",
        msg: "unable to read: 'p.json', JSON file structure is corrupted",
      },
    });
    expect(parsePlotData("p.txt", Buffer.from("x"))).toEqual({
      error: {
        type: "PlotMetricTypeError",
        msg: "'p.txt' - file type error\nOnly JSON, YAML, CSV and TSV formats are supported.",
      },
    });
  });
});
