import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFlowopsStageConfig } from "./flowopsStageConfig.js";

describe("readFlowopsStageConfig", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-stagecfg-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));
  const write = (text: string): void => writeFileSync(join(root, "flowops.yaml"), text);

  it("is undefined when flowops.yaml does not exist", async () => {
    expect(await readFlowopsStageConfig(root)).toBeUndefined();
  });

  it("reads gpus, gpu_type, timeout and retries per stage", async () => {
    write(
      "stages:\n  train:\n    gpus: 2\n    gpu_type: A100\n    timeout: 600\n    retries: 3\n  prep: {timeout: 5}\n",
    );
    const config = await readFlowopsStageConfig(root);
    expect(config?.stages.get("train")).toEqual({
      gpus: { count: 2, type: "A100" },
      timeoutSeconds: 600,
      retries: 3,
      line: 2,
    });
    expect(config?.stages.get("prep")).toEqual({ timeoutSeconds: 5, line: 7 });
  });

  it("names the line of an unknown key or a bad value", async () => {
    write("stages:\n  train:\n    gpu: 1\n");
    await expect(readFlowopsStageConfig(root)).rejects.toThrow(
      /flowops\.yaml:3: stage 'train': unknown key 'gpu'/,
    );
    write("stages:\n  train:\n    timeout: -1\n");
    await expect(readFlowopsStageConfig(root)).rejects.toThrow(
      /flowops\.yaml:3: .*timeout must be a positive/,
    );
    write("stages:\n  train:\n    gpu_type: A100\n");
    await expect(readFlowopsStageConfig(root)).rejects.toThrow(/flowops\.yaml:3: .*gpu_type needs gpus/);
    write("pipelines: {}\n");
    await expect(readFlowopsStageConfig(root)).rejects.toThrow(/flowops\.yaml:1: unknown key 'pipelines'/);
  });
});
