import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { openTable } from "../../tables/openTable.js";
import {
  MaterialisedTableChunk,
  type CellValue,
  type TableChunk,
  type TableSource,
} from "../../tables/tableChunk.js";
import { assessFairness, type FairnessOptions, type FairnessReport } from "./assessFairness.js";

const FIXTURES = fileURLToPath(new URL("../../../test/fixtures/quality/fairlearn/", import.meta.url));

interface ExpectedCase {
  csv: string;
  options: FairnessOptions;
  posLabel: string;
  rows: number;
  overall: Record<string, number | null>;
  byGroup: Record<string, Record<string, number | null>>;
  metrics: Record<string, number | null>;
}

const expected = JSON.parse(await readFile(join(FIXTURES, "expected.json"), "utf8")) as {
  versions: Record<string, string>;
  cases: Record<string, ExpectedCase>;
};

/** An in-memory table streamed in chunks of `chunkRows`, so tallies must carry over chunk boundaries. */
function memoryTable(
  columns: readonly string[],
  rows: readonly (readonly CellValue[])[],
  chunkRows = 7,
): TableSource {
  return {
    path: "memory.csv",
    format: "csv",
    columns: () => Promise.resolve(columns),
    async *chunks(): AsyncIterable<TableChunk> {
      // Like a header-only file, an empty table still yields one chunk of zero rows.
      const starts =
        rows.length === 0
          ? [0]
          : Array.from({ length: Math.ceil(rows.length / chunkRows) }, (_, i) => i * chunkRows);
      for (const start of starts) {
        const slice = rows.slice(start, start + chunkRows);
        const values = new Map(columns.map((name, index) => [name, slice.map((row) => row[index] ?? null)]));
        const lines = Uint32Array.from(slice, (_, offset) => start + offset + 2);
        yield new MaterialisedTableChunk("memory.csv", columns, values, start, slice.length, lines);
      }
    },
  };
}

/** Fixture CSVs are plain (no quotes, no empty cells), so a split is a faithful reader for the in-memory tests. */
async function fixtureTable(csv: string): Promise<TableSource> {
  const [header = "", ...lines] = (await readFile(join(FIXTURES, csv), "utf8")).trimEnd().split("\n");
  return memoryTable(
    header.split(","),
    lines.map((line) => line.split(",")),
  );
}

/** expected.json writes Fairlearn's NaN as null. */
function expectClose(actual: number, reference: number | null | undefined, what: string): void {
  if (reference === null) {
    expect(actual, what).toBeNaN();
    return;
  }
  expect(reference, `${what} missing from expected.json`).toBeTypeOf("number");
  expect(Math.abs(actual - (reference as number)), `${what}: ${actual} vs ${reference}`).toBeLessThanOrEqual(
    1e-9,
  );
}

function expectMatchesFairlearn(report: FairnessReport, reference: ExpectedCase): void {
  expect(report.rows).toBe(reference.rows);
  expect(report.posLabel).toBe(reference.posLabel);
  for (const [name, value] of Object.entries(reference.overall)) {
    expectClose(report.overall[name as keyof FairnessReport["overall"]], value, `overall ${name}`);
  }
  expect(report.byGroup.map((group) => group.key)).toEqual(Object.keys(reference.byGroup));
  for (const group of report.byGroup) {
    for (const [name, value] of Object.entries(reference.byGroup[group.key] ?? {})) {
      expectClose(group[name as keyof FairnessReport["overall"]], value, `${group.key} ${name}`);
    }
  }
  for (const [name, value] of Object.entries(reference.metrics)) {
    expectClose(report.metrics[name as keyof FairnessReport["metrics"]], value, name);
  }
}

describe("assessFairness against Fairlearn", () => {
  it("records the Fairlearn version the fixtures came from", () => {
    expect(expected.versions.fairlearn).toMatch(/^\d+\.\d+/);
  });

  it.each(Object.entries(expected.cases))(
    "matches Fairlearn on the %s case within 1e-9",
    async (_name, reference) => {
      const report = await assessFairness(await fixtureTable(reference.csv), reference.options);
      expectMatchesFairlearn(report, reference);
    },
  );

  it("reproduces the documented doctest numbers of Fairlearn's user guide", async () => {
    const reference = expected.cases.doctest as ExpectedCase;
    const report = await assessFairness(await fixtureTable(reference.csv), reference.options);
    expect(report.metrics.demographic_parity_difference).toBeCloseTo(0.25, 12);
    expect(report.metrics.demographic_parity_ratio).toBeCloseTo(2 / 3, 12);
    expect(report.metrics.equalized_odds_difference).toBeCloseTo(1, 12);
    expect(report.metrics.equalized_odds_ratio).toBe(0);
    expect(
      report.byGroup.map((group) => [group.key, group.selection_rate, group.true_positive_rate]),
    ).toEqual([
      ["group=a", 0.75, 0.5],
      ["group=b", 0.5, 0.6],
      ["group=c", 0.5, 0.4],
    ]);
  });

  it("chooses the greater label as positive when posLabel is not given", async () => {
    const reference = expected.cases.strings_yes_no as ExpectedCase;
    const { posLabel: _given, ...options } = reference.options;
    const report = await assessFairness(await fixtureTable(reference.csv), options);
    expect(report.posLabel).toBe("yes");
    expectMatchesFairlearn(report, reference);
  });

  it("gives the same numbers whatever the chunk size", async () => {
    const reference = expected.cases.random_two_sensitive as ExpectedCase;
    const [header = "", ...lines] = (await readFile(join(FIXTURES, reference.csv), "utf8"))
      .trimEnd()
      .split("\n");
    const rows = lines.map((line) => line.split(","));
    const whole = await assessFairness(memoryTable(header.split(","), rows, rows.length), reference.options);
    const pieces = await assessFairness(memoryTable(header.split(","), rows, 1), reference.options);
    expect(pieces).toEqual(whole);
  });
});

describe("assessFairness groups", () => {
  const columns = ["y", "p", "sex", "band"];
  const rows: CellValue[][] = [
    [1, 1, "f", 10],
    [0, 1, "f", 2],
    [1, 0, "m", 10],
    [0, 0, "m", 2],
    [1, 1, "m", 2],
  ];

  it("keys intersections of several sensitive columns as a=x,b=y in Fairlearn's sorted order", async () => {
    const report = await assessFairness(memoryTable(columns, rows), {
      yTrue: "y",
      yPred: "p",
      sensitive: ["sex", "band"],
    });
    expect(report.byGroup.map((group) => group.key)).toEqual([
      "sex=f,band=2",
      "sex=f,band=10",
      "sex=m,band=2",
      "sex=m,band=10",
    ]);
    expect(report.byGroup[3]?.group).toEqual({ sex: "m", band: "10" });
  });

  it("keeps groups below minGroupCount, flags them and names them in a warning", async () => {
    const report = await assessFairness(memoryTable(columns, rows), {
      yTrue: "y",
      yPred: "p",
      sensitive: ["sex"],
      minGroupCount: 3,
    });
    expect(report.byGroup.map((group) => [group.key, group.count, group.belowMinCount])).toEqual([
      ["sex=f", 2, true],
      ["sex=m", 3, false],
    ]);
    expect(report.warnings.join("\n")).toContain(
      "fewer than 3 rows; their metrics are reported and flagged but unreliable: sex=f (2)",
    );
  });

  it("flags every group below the default minimum of 30 rows", async () => {
    const report = await assessFairness(memoryTable(columns, rows), {
      yTrue: "y",
      yPred: "p",
      sensitive: ["sex"],
    });
    expect(report.byGroup.every((group) => group.belowMinCount)).toBe(true);
  });

  it("warns where a rate is 0 by scikit-learn's convention rather than measured", async () => {
    const report = await assessFairness(
      memoryTable(
        ["y", "p", "g"],
        [
          [0, 0, "a"],
          [0, 0, "a"],
          [1, 1, "b"],
          [0, 1, "b"],
        ],
      ),
      { yTrue: "y", yPred: "p", sensitive: ["g"], minGroupCount: 0 },
    );
    expect(report.warnings).toEqual([
      "true_positive_rate is 0 by convention (no rows with y_true '1'; scikit-learn's nan_to_num) for: g=a",
      "precision is 0 by convention (no rows with y_pred '1'; scikit-learn's zero_division) for: g=a",
    ]);
  });

  it("reports a ratio of groups that are all 0 as NaN, as Fairlearn does, with a warning", async () => {
    const report = await assessFairness(
      memoryTable(
        ["y", "p", "g"],
        [
          [1, 0, "a"],
          [0, 0, "b"],
          [1, 0, "b"],
        ],
      ),
      { yTrue: "y", yPred: "p", sensitive: ["g"], minGroupCount: 0 },
    );
    expect(report.metrics.demographic_parity_ratio).toBeNaN();
    expect(report.metrics.demographic_parity_difference).toBe(0);
    expect(report.warnings).toContain(
      "demographic_parity_ratio is NaN: every group's selection_rate is 0 (0/0, as Fairlearn)",
    );
  });
});

describe("assessFairness input errors", () => {
  const options = { yTrue: "y", yPred: "p", sensitive: ["g"] };

  async function errorOf(promise: Promise<unknown>): Promise<FlowOpsError> {
    const error = await promise.then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(FlowOpsError);
    return error as FlowOpsError;
  }

  it("rejects a third label value, naming all three and the row", async () => {
    const table = memoryTable(
      ["y", "p", "g"],
      [
        ["0", "1", "a"],
        ["1", "2", "a"],
      ],
    );
    const error = await errorOf(assessFairness(table, options));
    expect(error.code).toBe("INVALID_PARAMETER_VALUE");
    expect(error.message).toBe(
      "memory.csv: column 'p', row 2 (line 3): found a third label value; fairness metrics are binary only, " +
        "and y_true and y_pred together hold '0', '1', '2'",
    );
  });

  it("rejects a missing sensitive value as Fairlearn does, naming the column and the row", async () => {
    const table = memoryTable(
      ["y", "p", "g"],
      [
        ["0", "1", "a"],
        ["1", "1", null],
      ],
    );
    const error = await errorOf(assessFairness(table, options));
    expect(error.message).toMatch(/^memory\.csv: column 'g', row 2 \(line 3\): sensitive value is missing/);
  });

  it("rejects a missing label, naming the column and the row", async () => {
    const error = await errorOf(assessFairness(memoryTable(["y", "p", "g"], [[null, "1", "a"]]), options));
    expect(error.message).toMatch(/^memory\.csv: column 'y', row 1 \(line 2\): label is missing/);
  });

  it("rejects a posLabel that is not one of two observed labels", async () => {
    const table = memoryTable(["y", "p", "g"], [["no", "yes", "a"]]);
    const error = await errorOf(assessFairness(table, { ...options, posLabel: "maybe" }));
    expect(error.message).toBe("posLabel 'maybe' is not one of the label values 'no', 'yes'");
  });

  it("rejects a table without data rows", async () => {
    const error = await errorOf(assessFairness(memoryTable(["y", "p", "g"], []), options));
    expect(error.message).toBe("memory.csv: no data rows; fairness metrics need at least one row");
  });

  it("rejects an empty list of sensitive columns and a negative minGroupCount", async () => {
    const table = memoryTable(["y", "p", "g"], [["0", "1", "a"]]);
    expect((await errorOf(assessFairness(table, { ...options, sensitive: [] }))).message).toContain(
      "at least one",
    );
    expect((await errorOf(assessFairness(table, { ...options, minGroupCount: -1 }))).message).toContain(
      "minGroupCount",
    );
  });

  it("names the known columns when a column is absent", async () => {
    const table = memoryTable(["y", "p", "g"], [["0", "1", "a"]]);
    const error = await errorOf(assessFairness(table, { ...options, sensitive: ["race"] }));
    expect(error.message).toBe("memory.csv has no column 'race'; its columns are: y, p, g");
  });
});

describe("assessFairness through openTable", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-fairness-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("matches Fairlearn on the committed CSV read in small chunks", async () => {
    const reference = expected.cases.random_two_sensitive as ExpectedCase;
    const report = await assessFairness(
      openTable(join(FIXTURES, reference.csv), { chunkRows: 97 }),
      reference.options,
    );
    expectMatchesFairlearn(report, reference);
  });

  it("reads integral floats of a JSON Lines file as the same labels as their integers", async () => {
    const path = join(dir, "predictions.jsonl");
    const reference = expected.cases.doctest as ExpectedCase;
    const [, ...lines] = (await readFile(join(FIXTURES, reference.csv), "utf8")).trimEnd().split("\n");
    const jsonl = lines.map((line) => {
      const [y, p, group] = line.split(",");
      return JSON.stringify({ y_true: Number(y), y_pred: Number(p) === 1 ? 1.0 : 0, group });
    });
    await writeFile(path, `${jsonl.join("\n")}\n`);
    const report = await assessFairness(openTable(path), reference.options);
    expectMatchesFairlearn(report, reference);
  });
});
