/**
 * The quality checks end to end through the `flowops` command: validate, evaluate and fairness log into a
 * run, `flowops gate` judges that run on the server, and the registry lets the version reach `production`
 * only after a passing gate.
 */
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../src/cli/main.js";
import { FlowOpsClient } from "../src/client/index.js";
import { startTestServer, type TestServer } from "./support/testServer.js";

let server: TestServer;
let client: FlowOpsClient;
let dir: string;

beforeAll(async () => {
  server = await startTestServer();
  client = new FlowOpsClient({ trackingUri: server.url, retries: 0 });
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-quality-e2e-"));
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  vi.spyOn(process.stderr, "write").mockImplementation(() => true);
});
afterEach(async () => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function flowops(...args: string[]): Promise<number> {
  process.exitCode = undefined;
  const code = await main(["node", "flowops", ...args]);
  process.exitCode = undefined;
  return code;
}

/** 200 predictions: 90 % right, two groups with equal selection rates. */
function predictionsCsv(): string {
  const lines = ["y_true,y_pred,score,group,age"];
  for (let i = 0; i < 200; i++) {
    const truth = i % 2;
    const pred = i % 10 === 0 ? 1 - truth : truth;
    const score = pred === 1 ? 0.8 : 0.2;
    lines.push(`${truth},${pred},${score},${i % 4 < 2 ? "a" : "b"},${20 + (i % 50)}`);
  }
  return `${lines.join("\n")}\n`;
}

describe("quality checks through the CLI", () => {
  it("logs validation, evaluation and fairness into a run, and the gate opens production", async () => {
    const data = join(dir, "predictions.csv");
    await writeFile(data, predictionsCsv());
    await writeFile(
      join(dir, "suite.yaml"),
      [
        "name: predictions",
        "expectations:",
        "  - expect_table_row_count_to_be_between: { min_value: 100 }",
        "  - expect_column_values_to_be_in_set: { column: y_true, value_set: [0, 1] }",
        "  - expect_column_values_to_be_between: { column: age, min_value: 18, max_value: 99 }",
        "",
      ].join("\n"),
    );
    const experimentId = await client.experiments.create(`quality-${Date.now()}`);
    const run = await client.runs.create({ experimentId });
    const runId = run.info.run_id;
    const inRun = ["--run", runId, "--tracking-uri", server.url];

    expect(await flowops("validate", data, "--suite", join(dir, "suite.yaml"), ...inRun)).toBe(0);
    const plots = join(dir, "plots");
    expect(
      await flowops(
        "evaluate",
        "--data",
        data,
        "--task",
        "classification",
        "--y-true",
        "y_true",
        "--y-pred",
        "y_pred",
        "--y-score",
        "score",
        "--plots",
        plots,
        ...inRun,
      ),
    ).toBe(0);
    expect(
      await flowops(
        "fairness",
        "--data",
        data,
        "--y-true",
        "y_true",
        "--y-pred",
        "y_pred",
        "--sensitive",
        "group",
        ...inRun,
      ),
    ).toBe(0);

    const metrics = Object.fromEntries(
      (await client.runs.get(runId)).data.metrics.map((m) => [m.key, m.value]),
    );
    expect(metrics.accuracy).toBeCloseTo(0.9, 12);
    expect(metrics.validation_unsuccessful_expectations).toBe(0);
    expect(metrics.demographic_parity_difference).toBeCloseTo(0, 12);
    expect((await readdir(plots)).sort()).toContain("confusion_matrix.png");
    const artifacts = (await client.artifacts.listArtifacts({ runId }, "quality")).map((f) => f.path);
    expect(artifacts).toEqual(
      expect.arrayContaining(["quality/validation.json", "quality/evaluation.json", "quality/fairness.json"]),
    );

    const model = `quality-model-${Date.now()}`;
    await client.registry.createRegisteredModel(model);
    const version = await client.registry.createModelVersion(model, `runs:/${runId}/model`, { runId });
    await expect(client.registry.setAlias(model, "production", version.version)).rejects.toThrow(
      /no passing quality gate record/,
    );

    const strict = join(dir, "strict.yaml");
    await writeFile(strict, "name: strict\nconditions:\n  - accuracy >= 0.95\n");
    const gateArgs = ["--run", runId, "--model", model, "--version", version.version];
    expect(await flowops("gate", "--policy", strict, ...gateArgs, "--tracking-uri", server.url)).toBe(1);
    await expect(client.registry.setAlias(model, "production", version.version)).rejects.toThrow(/failed/);

    const policy = join(dir, "gates.yaml");
    await writeFile(
      policy,
      [
        "name: production-gate",
        "conditions:",
        "  - accuracy >= 0.85",
        "  - f1_macro >= 0.85",
        "  - demographic_parity_ratio >= 0.8",
        "  - expectations: all pass",
        "",
      ].join("\n"),
    );
    expect(await flowops("gate", "--policy", policy, ...gateArgs, "--tracking-uri", server.url)).toBe(0);
    await client.registry.setAlias(model, "production", version.version);
    expect((await client.registry.getModelVersionByAlias(model, "production")).version).toBe(version.version);
  });

  it("passes the example's suite, and the example's predictions clear its gate thresholds", async () => {
    const example = join(import.meta.dirname, "..", "examples", "quality-gates");
    const data = join(example, "predictions.csv");
    expect(await flowops("validate", data, "--suite", join(example, "suite.yaml"))).toBe(0);
    const write = vi.mocked(process.stdout.write);
    write.mockClear();
    const args = ["--data", data, "--task", "classification", "--y-true", "label", "--y-pred", "pred"];
    expect(await flowops("evaluate", ...args, "--y-score", "p_yes", "--json")).toBe(0);
    const report = JSON.parse(write.mock.calls.map((c) => String(c[0])).join("")) as {
      metrics: Record<string, number>;
    };
    expect(report.metrics.accuracy).toBeGreaterThanOrEqual(0.7);
    expect(report.metrics.f1_macro).toBeGreaterThanOrEqual(0.7);
  });

  it("exits 1 when an expectation fails and 2 when a required option is missing", async () => {
    const data = join(dir, "d.csv");
    await writeFile(data, "age\n10\n30\n");
    await writeFile(
      join(dir, "suite.yaml"),
      "name: adults\nexpectations:\n  - expect_column_values_to_be_between: { column: age, min_value: 18 }\n",
    );
    expect(await flowops("validate", data, "--suite", join(dir, "suite.yaml"))).toBe(1);
    expect(await flowops("evaluate", "--data", data, "--task", "classification")).toBe(2);
  });
});
