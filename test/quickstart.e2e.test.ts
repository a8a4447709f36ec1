/**
 * `flowops quickstart` end to end, through the command as a user runs it: data versioned and validated, the
 * example pipeline trained and gated, a canary deployment under simulated traffic, drift found by the
 * server's monitor, the retraining loop's version promoted, and a broken version rolled back. It is slow (about
 * a minute) because it does all of that for real.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../src/cli/main.js";

interface QuickstartJson {
  steps: { name: string; seconds: number; summary: string }[];
  versions: { first: string; retrained: string; broken: string };
  accuracy: { first: number; retrained: number };
  retraining: { base_model_uri: string; warm_started: boolean };
  drift: { share: number; columns: { column: string; drifted: boolean }[] };
  rollback_seconds: number;
  rollback_reason: string | null;
  traffic: { sent: number; answered: number; failed: number };
  urls: Record<string, string>;
}

let dir: string;
let exitCode: number;
let result: QuickstartJson;
let progress = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-quickstart-e2e-"));
  let stdout = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    progress += String(chunk);
    return true;
  });
  try {
    exitCode = await main(["node", "flowops", "quickstart", "--json", "--dir", join(dir, "work")]);
  } finally {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  }
  if (exitCode !== 0) throw new Error(`flowops quickstart exited ${exitCode}:\n${progress}`);
  result = JSON.parse(stdout) as QuickstartJson;
}, 240_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("flowops quickstart", () => {
  it("exits 0 after every step succeeded", () => {
    expect(exitCode, progress).toBe(0);
    expect(result.steps.length).toBeGreaterThanOrEqual(10);
  });

  it("versions the data and trains through the example pipeline in the workspace", async () => {
    const work = join(dir, "work");
    expect(existsSync(join(work, "data", "customers.csv.dvc"))).toBe(true);
    expect(await readFile(join(work, "dvc.lock"), "utf8")).toContain("node --import tsx train.ts");
    expect(result.accuracy.first).toBeGreaterThan(0.75);
  });

  it("finds drift in the shifted columns only", () => {
    const drifted = result.drift.columns.filter((c) => c.drifted).map((c) => c.column);
    expect(drifted.sort()).toEqual(["income", "usage"]);
  });

  it("retrains from the deployed version and promotes the new one", () => {
    expect(result.retraining.base_model_uri).toBe(`models:/quickstart-churn/${result.versions.first}`);
    expect(result.retraining.warm_started).toBe(true);
    expect(Number(result.versions.retrained)).toBeGreaterThan(Number(result.versions.first));
  });

  it("rolls the broken version back on the agreement check", () => {
    expect(result.rollback_reason).toMatch(/agreement/);
    expect(result.rollback_seconds).toBeGreaterThan(0);
    expect(result.traffic.failed).toBe(0);
  });
});
