/**
 * The `prepare` stage: synthetic customers from the quickstart's generator (src/quickstart/customerData.ts),
 * split into what a pseudo-labeling project starts from:
 *   data/labeled.csv        a few labeled rows (the `churn` column),
 *   data/unlabeled.parquet  many rows without the label, the input of the `label` stage's `flowops predict`,
 *   data/test.csv           labeled rows held out to score the teacher and the student.
 * One seeded stream draws all three, so the same `prepare.seed` writes the same bytes.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { CustomerGenerator, customersCsv, type Customer } from "../../src/quickstart/customerData.js";
import { openTableWriter } from "../../src/tables/openTableWriter.js";
import { stageParams } from "./tableTraining.js";

interface PrepareParams {
  seed: number;
  labeled_rows: number;
  unlabeled_rows: number;
  test_rows: number;
}

/** Everything but the label: what arrives before anyone has labeled it. */
const UNLABELED_COLUMNS = ["customer_id", "age", "income", "tenure", "usage", "group"] as const;

async function writeUnlabeled(path: string, customers: readonly Customer[]): Promise<void> {
  const writer = openTableWriter(path, "parquet", UNLABELED_COLUMNS);
  const batch = Object.fromEntries(
    UNLABELED_COLUMNS.map((name) =>
      name === "group"
        ? [name, customers.map((c) => c.group)]
        : [name, Float64Array.from(customers, (c) => c[name])],
    ),
  );
  await writer.write(batch);
  await writer.close();
}

async function main(): Promise<void> {
  const params = await stageParams<PrepareParams>("prepare");
  const generator = new CustomerGenerator(params.seed);
  await mkdir("data", { recursive: true });
  await writeFile("data/labeled.csv", customersCsv(generator.many(params.labeled_rows)));
  await writeUnlabeled("data/unlabeled.parquet", generator.many(params.unlabeled_rows));
  await writeFile("data/test.csv", customersCsv(generator.many(params.test_rows)));
  process.stdout.write(
    `wrote ${params.labeled_rows} labeled, ${params.unlabeled_rows} unlabeled and ${params.test_rows} test rows\n`,
  );
}

await main();
