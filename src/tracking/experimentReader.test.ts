/**
 * Experiment ids in the spellings Python's `int()` reads, which mlflow's `_parse_experiment_id` uses: mlflow
 * 3.17.2 answered experiments/get with experiment_id "1_0", " 7 ", "+3" and "007" with experiments 10, 7, 3
 * and 7, "No Experiment with id=10 exists" when 10 was missing, and "Invalid experiment ID '1__0'. Experiment
 * ID must be a valid integer." for "1__0", "1.0" and "0x1".
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metadataBackends } from "../../test/support/backends.js";
import { rejection, thrownError } from "../../test/support/thrownError.js";
import type { MetadataDb } from "../db/connect.js";
import { requireActiveExperimentId } from "./experimentReader.js";
import { createExperiment, getExperiment, parseExperimentId } from "./experimentStore.js";

describe("parseExperimentId", () => {
  it.each([
    ["1_0", 10],
    [" 7 ", 7],
    ["+3", 3],
    ["-0", 0],
    ["007", 7],
    ["1_000_000", 1_000_000],
    ["\t12\n", 12],
  ])("reads %j as int() does", (text, id) => {
    expect(parseExperimentId(text)).toBe(id);
  });

  it.each(["1__0", "_1", "1_", "1.0", "0x1", "", " ", "1 0", "+-1", "1e3"])("refuses %j", (text) => {
    expect(thrownError(() => parseExperimentId(text))).toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: `Invalid experiment ID '${text}'. Experiment ID must be a valid integer.`,
    });
  });

  it("names nothing past the ids the store hands out", () => {
    expect(parseExperimentId("9_007_199_254_740_993")).toBeUndefined();
  });
});

describe.each(metadataBackends())("experiment ids in int()'s spellings on $name", (backend) => {
  let meta: MetadataDb;
  let close: () => Promise<void>;
  let id: number;

  beforeAll(async () => {
    const opened = await backend.open();
    meta = opened.meta;
    close = opened.close;
    id = Number(await createExperiment(meta.db, { name: "forms" }, "mlflow-artifacts:/", 1));
  });
  afterAll(async () => close());

  it("finds the experiment by any spelling and names a missing one as int() read it", async () => {
    for (const form of [`0_${id}`, ` ${id} `, `+${id}`, `00${id}`]) {
      expect((await getExperiment(meta.db, form)).experiment_id).toBe(String(id));
      expect(await requireActiveExperimentId(meta.db, form)).toBe(id);
    }
    expect((await rejection(getExperiment(meta.db, "9_999_999"))).message).toBe(
      "No Experiment with id=9999999 exists",
    );
    expect((await rejection(requireActiveExperimentId(meta.db, " 9_999_999 "))).message).toBe(
      "No Experiment with id=9999999 exists",
    );
  });
});
