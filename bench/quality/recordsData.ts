/**
 * The validation benchmark's input: a customer-records CSV of nine mixed-type columns (ints, floats, strings,
 * booleans, timestamps, with nulls in `age`), and the 20-expectation suite run on it, written as FlowOps'
 * suite YAML. gx_validate.py holds the same 20 expectations for Great Expectations, in the same order;
 * the runner compares the two verdicts expectation by expectation.
 *
 * Planted defects, so that the suite has failures to find: 1 % of `age` is empty (one not-null expectation
 * allows 2 %, one allows 0.5 %), 0.02 % of `country` is "XX" (not in the set), and 0.05 % of `email` lacks a
 * domain dot (the regex allows 0.1 %). Expected verdict from about 20 000 rows up: 18 pass, 2 fail.
 */
import { createWriteStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { stringify } from "yaml";
import { BatchedLineWriter } from "./batchedLineWriter.js";
import { mulberry32 as seededRandom } from "../../src/seededRandom.js";

export const RECORD_COLUMNS = [
  "id",
  "email",
  "age",
  "income",
  "country",
  "plan",
  "signup_ts",
  "is_active",
  "score",
] as const;

const COUNTRIES = ["US", "DE", "FR", "GB", "JP", "BR", "IN"];
const PLANS = ["free", "pro", "team"];

/** The suite, as `[type, kwargs]` pairs in GX's kwarg names. */
export const RECORD_SUITE: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ["expect_table_row_count_to_be_between", { min_value: 1, max_value: 100_000_000 }],
  ["expect_table_columns_to_match_ordered_list", { column_list: [...RECORD_COLUMNS] }],
  ["expect_column_values_to_be_unique", { column: "id" }],
  ["expect_column_values_to_not_be_null", { column: "id" }],
  ["expect_column_values_to_be_of_type", { column: "id", type_: "int" }],
  [
    "expect_column_values_to_match_regex",
    { column: "email", regex: "^[a-z0-9.]+@[a-z]+\\.[a-z]+$", mostly: 0.999 },
  ],
  ["expect_column_value_lengths_to_be_between", { column: "email", min_value: 5, max_value: 40 }],
  ["expect_column_values_to_not_be_null", { column: "age", mostly: 0.98 }],
  ["expect_column_values_to_not_be_null", { column: "age", mostly: 0.995 }],
  ["expect_column_values_to_be_between", { column: "age", min_value: 18, max_value: 90 }],
  ["expect_column_mean_to_be_between", { column: "age", min_value: 40, max_value: 70 }],
  ["expect_column_values_to_be_between", { column: "income", min_value: 0, max_value: 1_000_000 }],
  ["expect_column_median_to_be_between", { column: "income", min_value: 15_000, max_value: 30_000 }],
  ["expect_column_stdev_to_be_between", { column: "income", min_value: 1_000, max_value: 100_000 }],
  ["expect_column_values_to_be_in_set", { column: "country", value_set: COUNTRIES }],
  ["expect_column_values_to_be_in_set", { column: "plan", value_set: PLANS }],
  [
    "expect_column_values_to_match_regex",
    { column: "signup_ts", regex: "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$" },
  ],
  ["expect_column_values_to_be_of_type", { column: "is_active", type_: "bool" }],
  ["expect_column_values_to_be_between", { column: "score", min_value: 0, max_value: 1 }],
  ["expect_column_mean_to_be_between", { column: "score", min_value: 0.45, max_value: 0.55 }],
];

export async function writeRecordsSuite(path: string): Promise<void> {
  const expectations = RECORD_SUITE.map(([type, kwargs]) => ({ [type]: kwargs }));
  await writeFile(path, stringify({ name: "bench-records", expectations }));
}

export async function writeRecordsCsv(path: string, rows: number): Promise<void> {
  const random = seededRandom(7_340_033);
  const writer = new BatchedLineWriter(createWriteStream(path));
  await writer.push(RECORD_COLUMNS.join(","));
  const start = Date.UTC(2024, 0, 1) / 1000;
  for (let id = 1; id <= rows; id++) {
    const email = random() < 0.0005 ? `user${id}@localhost` : `user${id}@example.com`;
    const age = random() < 0.01 ? "" : String(18 + Math.floor(random() * 73));
    // Log-normal around e^10 (about 22 000): sum of 12 uniforms minus 6 is close enough to a standard normal.
    let normal = -6;
    for (let i = 0; i < 12; i++) normal += random();
    const income = Math.exp(10 + 0.5 * normal).toFixed(2);
    const country = random() < 0.0002 ? "XX" : COUNTRIES[Math.floor(random() * COUNTRIES.length)];
    const plan = PLANS[random() < 0.6 ? 0 : random() < 0.7 ? 1 : 2];
    const signup = new Date((start + Math.floor(random() * 63_072_000)) * 1000).toISOString();
    const signupTs = `${signup.slice(0, 19)}Z`;
    const active = random() < 0.8 ? "True" : "False";
    const score = random().toFixed(6);
    await writer.push(`${id},${email},${age},${income},${country},${plan},${signupTs},${active},${score}`);
  }
  await writer.end();
}
