import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTable } from "../../tables/openTable.js";
import { readDriftTable } from "../drift/driftTableReader.js";
import { buildProfile } from "../drift/referenceProfile.js";
import { PREDICTION_COLUMN, profileTrainingData, tryProfileTrainingFile } from "./trainingProfile.js";

let dir: string;
let train: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-training-profile-"));
  train = join(dir, "train.csv");
  const rows = ["age,city,label"];
  for (let i = 0; i < 50; i++) rows.push(`${20 + (i % 17)},${["oslo", "rome", "lima"][i % 3]},${i % 2}`);
  await writeFile(train, `${rows.join("\n")}\n`);
  const predictions = ["prediction"];
  for (let i = 0; i < 50; i++) predictions.push(String((i % 5) / 5));
  await writeFile(join(dir, "predictions.csv"), `${predictions.join("\n")}\n`);
  await writeFile(join(dir, "scores.csv"), `score\n${predictions.slice(1).join("\n")}\n`);
  await writeFile(join(dir, "two.csv"), "a,b\n1,2\n");
  await writeFile(join(dir, "notes.txt"), "not a table");
  await writeFile(join(dir, "broken.parquet"), "PAR1 not really");
  await mkdir(join(dir, "images.csv"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("profileTrainingData", () => {
  it("profiles a table file exactly as buildProfile does on the file's drift table", async () => {
    const expected = buildProfile(await readDriftTable(openTable(train)));
    expect(await profileTrainingData(train)).toEqual(expected);
  });

  it("profiles only the requested columns, in their order", async () => {
    const profile = await profileTrainingData(train, { columns: ["city", "age"] });
    expect(profile.columns.map((c) => [c.name, c.kind])).toEqual([
      ["city", "categorical"],
      ["age", "numerical"],
    ]);
  });

  it("profiles an in-memory drift table, selecting columns", async () => {
    const table = [
      { name: "x", values: Float64Array.from([1, 2, 3]) },
      { name: "y", values: ["a", "b", "a"] },
    ];
    const profile = await profileTrainingData(table, { columns: ["y"] });
    expect(profile.rows).toBe(3);
    expect(profile.columns).toHaveLength(1);
    expect(profile.columns[0]).toMatchObject({ name: "y", kind: "categorical" });
  });

  it("adds the predictions file's prediction column as the profile's prediction column", async () => {
    const profile = await profileTrainingData(train, {
      columns: ["age"],
      predictionsFile: join(dir, "predictions.csv"),
    });
    expect(profile.columns.map((c) => c.name)).toEqual(["age", PREDICTION_COLUMN]);
    const prediction = profile.columns[1]!;
    expect(prediction.kind).toBe("numerical");
    expect(prediction.count).toBe(50);
  });

  it("takes a predictions file's only column whatever its name", async () => {
    const profile = await profileTrainingData(train, {
      columns: ["age"],
      predictionsFile: join(dir, "scores.csv"),
    });
    expect(profile.columns.map((c) => c.name)).toEqual(["age", PREDICTION_COLUMN]);
  });

  it("adds in-memory predictions, numeric or labels", async () => {
    const numeric = await profileTrainingData(train, {
      columns: ["age"],
      predictions: Array.from({ length: 50 }, (_, i) => i % 2),
    });
    expect(numeric.columns[1]).toMatchObject({ name: PREDICTION_COLUMN, kind: "numerical", count: 50 });
    const labels = await profileTrainingData(train, {
      columns: ["age"],
      predictions: Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? "yes" : "no")),
    });
    expect(labels.columns[1]).toMatchObject({ name: PREDICTION_COLUMN, kind: "categorical", count: 50 });
  });

  it("rejects a predictions file with several columns and none named prediction", async () => {
    await expect(profileTrainingData(train, { predictionsFile: join(dir, "two.csv") })).rejects.toThrow(
      /two\.csv has no column 'prediction'.*a, b/,
    );
  });

  it("rejects predictions whose row count differs from the training data's", async () => {
    await expect(profileTrainingData(train, { predictions: [1, 2, 3] })).rejects.toThrow(
      /column 'prediction' has 3 values/,
    );
  });

  it("rejects predictions when the training data already has a prediction column", async () => {
    const table = [{ name: PREDICTION_COLUMN, values: Float64Array.from([1]) }];
    await expect(profileTrainingData(table, { predictions: [1] })).rejects.toThrow(
      /already has a column 'prediction'/,
    );
  });
});

describe("tryProfileTrainingFile", () => {
  it("profiles a readable table file", async () => {
    const attempt = await tryProfileTrainingFile(train);
    expect("profile" in attempt && attempt.profile.rows).toBe(50);
  });

  it.each([
    ["a directory", "images.csv", /is a directory/],
    ["a file that is not a table", "notes.txt", /not a table file FlowOps reads/],
    ["a missing file", "missing.csv", /cannot be read/],
    ["a broken parquet file", "broken.parquet", /could not be profiled/],
  ])("skips %s with the reason", async (_what, name, reason) => {
    const attempt = await tryProfileTrainingFile(join(dir, name));
    expect("skipped" in attempt && attempt.skipped).toMatch(reason);
  });

  it("still rejects a column the caller asked for that the file lacks", async () => {
    await expect(tryProfileTrainingFile(train, { columns: ["height"] })).rejects.toThrow(
      /has no column 'height'/,
    );
  });
});
