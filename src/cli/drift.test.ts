import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DriftReport } from "../monitoring/drift/datasetDrift.js";
import { driftCommand, parseDriftOptions, runDrift, type DriftCommandOptions } from "./drift.js";
import { mulberry32 } from "../seededRandom.js";

let dir: string;

/** Seeded standard normal draws, so the files are the same on every run. */
function normals(seed: number): () => number {
  const uniform = mulberry32(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

async function csv(
  name: string,
  rows: number,
  seed: number,
  shift: number,
  newPlan = false,
): Promise<string> {
  const draw = normals(seed);
  const lines = ["age,income,plan"];
  for (let i = 0; i < rows; i++) {
    const plan = newPlan && i % 2 === 0 ? "enterprise" : i % 3 === 0 ? "pro" : "basic";
    lines.push(`${(40 + 10 * draw() + shift).toFixed(3)},${(1000 + 100 * draw()).toFixed(2)},${plan}`);
  }
  const path = join(dir, name);
  await writeFile(path, `${lines.join("\n")}\n`);
  return path;
}

let reference: string;
let same: string;
let shifted: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-drift-"));
  reference = await csv("reference.csv", 2000, 1, 0);
  same = await csv("same.csv", 1500, 2, 0);
  shifted = await csv("shifted.csv", 1500, 3, 15, true);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function run(options: Omit<DriftCommandOptions, "reference"> & { reference?: string }) {
  let out = "";
  let err = "";
  const code = await runDrift(
    { reference, ...options },
    { write: (text) => (out += text), writeError: (text) => (err += text) },
  );
  return { code, out, err };
}

describe("flowops drift", () => {
  it("exits 0 and says no dataset drift when both files are drawn alike", async () => {
    const { code, out } = await run({ current: same });
    expect(code).toBe(0);
    expect(out).toContain("No dataset drift: 0 of 3 columns drifted");
    expect(out).toMatch(/^age\s+numerical\s+wasserstein/m);
  });

  it("exits 1 and names the drifted columns when a mean shifts and a category appears", async () => {
    const { code, out } = await run({ current: shifted, json: true });
    expect(code).toBe(1);
    const report = JSON.parse(out) as DriftReport;
    expect(report.datasetDrift).toBe(true);
    expect(report.columns.filter((c) => c.drifted).map((c) => c.column)).toEqual(["age", "plan"]);
  });

  it("applies per-column tests, thresholds, the drift share and the column choice", async () => {
    const { out } = await run({
      current: shifted,
      columns: ["age", "income"],
      method: ["age=psi"],
      threshold: ["income=0.5"],
      driftShare: 1,
      json: true,
    });
    const report = JSON.parse(out) as DriftReport;
    expect(report.columns.map((c) => [c.column, c.method, c.threshold])).toEqual([
      ["age", "psi", 0.1],
      ["income", "wasserstein", 0.5],
    ]);
    expect(report.datasetDrift).toBe(false);
  });

  it("writes a self-contained HTML page with a plot per column", async () => {
    const html = join(dir, "report.html");
    const { out } = await run({ current: shifted, html });
    const page = await readFile(html, "utf8");
    expect(out).toContain(`HTML report: ${html}`);
    expect(page).toContain("<svg");
    expect(page).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it("exits 2 with the error when a test or column is unknown", async () => {
    const badMethod = await run({ current: same, method: ["age=ttest"] });
    expect(badMethod.code).toBe(2);
    expect(badMethod.err).toContain("unknown test 'ttest'");
    const badColumn = await run({ current: same, columns: ["salary"] });
    expect(badColumn.code).toBe(2);
    expect(badColumn.err).toContain("salary");
  });

  it("exits 2, not the 1 of dataset drift, when the HTML page cannot be written", async () => {
    const html = join(dir, "no-such-dir", "report.html");
    const { code, err } = await run({ current: shifted, html });
    expect(code).toBe(2);
    expect(err).toContain(html);
  });

  it("applies a bare numbers-only --method to numeric columns and leaves categories to the default", () => {
    expect(parseDriftOptions({ reference, current: same, method: ["ks"] })).toEqual({
      numericalMethod: "ks",
    });
    expect(parseDriftOptions({ reference, current: same, method: ["psi"] })).toEqual({
      numericalMethod: "psi",
      categoricalMethod: "psi",
    });
  });

  it("documents its exit codes in --help", () => {
    expect(driftCommand().helpInformation() + "").toContain("--drift-share");
    let help = "";
    const command = driftCommand()
      .exitOverride()
      .configureOutput({ writeOut: (text) => (help += text) });
    expect(() => command.parse(["--help"], { from: "user" })).toThrow();
    expect(help).toContain("Exit codes: 0 no dataset drift, 1 dataset drift, 2 bad usage or error.");
  });
});
