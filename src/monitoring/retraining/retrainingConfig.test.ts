import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_COOLDOWN_MS,
  parseRetrainingConfig,
  readRetrainingConfig,
  retrainingFor,
} from "./retrainingConfig.js";

const CONFIG = `retraining:
  churn:
    pipeline: {dir: ./pipeline, targets: [train]}
    model: {name: churn, path: out/model.onnx}
    gates: gates.yaml
    triggers:
      drift: {consecutiveWindows: 3}
      labels: {minSamples: 500}
      schedule: {every: 24h}
    cooldown: 5m
  fraud:
    pipeline: {dir: /srv/fraud}
    model: {name: fraud, path: model}
    triggers: {}
`;

describe("parseRetrainingConfig", () => {
  it("reads each endpoint's pipeline, model, gates, triggers and cooldown, resolving paths against the file", () => {
    const config = parseRetrainingConfig(CONFIG, "/etc/flowops/retraining.yaml");
    expect(retrainingFor(config, "churn")).toEqual({
      endpoint: "churn",
      pipelineDir: "/etc/flowops/pipeline",
      targets: ["train"],
      modelName: "churn",
      modelPath: "/etc/flowops/pipeline/out/model.onnx",
      gatesFile: "/etc/flowops/gates.yaml",
      triggers: {
        drift: { consecutiveWindows: 3 },
        labels: { minSamples: 500 },
        schedule: { everyMs: 24 * 3_600_000 },
      },
      cooldownMs: 5 * 60_000,
    });
  });

  it("gives an endpoint without a cooldown the default and no gates, and leaves absent triggers off", () => {
    const fraud = retrainingFor(parseRetrainingConfig(CONFIG, "/etc/flowops/r.yaml"), "fraud");
    expect(fraud?.cooldownMs).toBe(DEFAULT_COOLDOWN_MS);
    expect(fraud?.gatesFile).toBeUndefined();
    expect(fraud?.triggers).toEqual({});
    expect(fraud?.modelPath).toBe("/srv/fraud/model");
  });

  it("treats a file without a retraining section as configuring no endpoint", () => {
    expect(parseRetrainingConfig("slos: {}\n", "m.yaml").endpoints).toEqual([]);
  });

  it("names the file, line and field of a trigger threshold that is not a whole number", () => {
    const text = CONFIG.replace("consecutiveWindows: 3", "consecutiveWindows: 2.5");
    expect(() => parseRetrainingConfig(text, "r.yaml")).toThrow(
      /^r\.yaml:7: retraining\.churn\.triggers\.drift\.consecutiveWindows: expected a whole number of windows/,
    );
  });

  it("names the line of an unknown key", () => {
    const text = CONFIG.replace("    cooldown: 5m", "    cooldwn: 5m");
    expect(() => parseRetrainingConfig(text, "r.yaml")).toThrow(
      /^r\.yaml:10: unknown key 'cooldwn' in retraining\.churn/,
    );
  });

  it("rejects a schedule that is not a duration", () => {
    const text = CONFIG.replace("every: 24h", "every: daily");
    expect(() => parseRetrainingConfig(text, "r.yaml")).toThrow(
      /r\.yaml:9: retraining\.churn\.triggers\.schedule\.every: expected a positive duration like 24h/,
    );
  });

  it("requires the model's name", () => {
    const text = CONFIG.replace("model: {name: churn, path: out/model.onnx}", "model: {path: m}");
    expect(() => parseRetrainingConfig(text, "r.yaml")).toThrow(/r\.yaml:4: retraining\.churn\.model\.name:/);
  });

  it("reads a config file from disk, and says when it is missing", async () => {
    const dir = await mkdtemp(join(tmpdir(), "flowops-retraining-config-"));
    try {
      await writeFile(join(dir, "retraining.yaml"), CONFIG);
      const config = await readRetrainingConfig(join(dir, "retraining.yaml"));
      expect(retrainingFor(config, "churn")?.pipelineDir).toBe(join(dir, "pipeline"));
      await expect(readRetrainingConfig(join(dir, "absent.yaml"))).rejects.toThrow(
        /absent\.yaml: file not found/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
