/**
 * The quickstart's data phase: customers written to data/customers.csv, versioned in the workspace's data
 * repo as `flowops data add` does (a .dvc file and the object cache), and checked against the example's
 * expectation suite. New data (the shifted market) is appended and versioned again the same way.
 */
import { appendFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { addTargets } from "../data/addTargets.js";
import { closeDataRepo, initDataRepo, withDataRepo } from "../data/dataRepo.js";
import { FlowOpsError } from "../errors.js";
import { loadExpectationSuite } from "../quality/validation/expectationSuite.js";
import { validateTable } from "../quality/validation/validateTable.js";
import type { SuiteValidationResult } from "../quality/validation/validationResult.js";
import { openTable } from "../tables/openTable.js";
import { customersCsv, type CustomerGenerator, type CustomerShift } from "./customerData.js";

export const DATA_FILE = join("data", "customers.csv");

export interface DataVersion {
  /** The md5 the .dvc file records. */
  md5: string;
  rows: number;
}

/** Writes the first customers, initialises the data repo (no SCM) and versions the file. */
export async function createDataset(
  root: string,
  generator: CustomerGenerator,
  rows: number,
): Promise<DataVersion> {
  await writeFile(join(root, DATA_FILE), customersCsv(generator.many(rows)));
  const repo = await initDataRepo(root, { noScm: true });
  closeDataRepo(repo);
  return { md5: await versionData(root), rows };
}

/** Appends newly arrived customers (drawn with `shift`) and versions the grown file. */
export async function appendData(
  root: string,
  generator: CustomerGenerator,
  rows: number,
  shift: CustomerShift,
  previousRows: number,
): Promise<DataVersion> {
  const text = customersCsv(generator.many(rows, shift));
  await appendFile(join(root, DATA_FILE), text.slice(text.indexOf("\n") + 1));
  return { md5: await versionData(root), rows: previousRows + rows };
}

async function versionData(root: string): Promise<string> {
  const [result] = await withDataRepo(root, (repo) => addTargets(repo, [DATA_FILE], { cwd: root }));
  if (result === undefined)
    throw new FlowOpsError("INVALID_STATE", `data add ${DATA_FILE}: nothing was added`);
  return result.hash.md5;
}

/** Validates the data file against suite.yaml; a failed expectation stops the quickstart. */
export async function validateDataset(root: string): Promise<SuiteValidationResult> {
  const suite = await loadExpectationSuite(join(root, "suite.yaml"));
  const result = await validateTable(openTable(join(root, DATA_FILE)), suite);
  if (!result.success) {
    const failed = result.results
      .filter((r) => !r.success)
      .map((r) => r.expectation_config.type)
      .join(", ");
    throw new FlowOpsError(
      "INVALID_STATE",
      `${join(root, DATA_FILE)} fails suite.yaml (${failed}); the quickstart trains only on valid data`,
    );
  }
  return result;
}
