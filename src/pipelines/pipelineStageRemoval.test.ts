import { access, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { removePipelineStage } from "./pipelineStageRemoval.js";

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-stage-removal-"));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const removed = async (text: string, name: string): Promise<string> => {
  await writeFile(join(dir, "dvc.yaml"), text);
  await removePipelineStage(join(dir, "dvc.yaml"), name);
  return readFile(join(dir, "dvc.yaml"), "utf8");
};

// Each expected text is what dvc 3.67.1's ruamel round trip wrote for the same deletion.
describe("removePipelineStage", () => {
  it("drops the stage with the comments after it and keeps those above it, as ruamel ties them", async () => {
    const text =
      "# top\nstages:\n  # first\n  a:  # on a\n    cmd: a\n\n  # before b\n  b:\n    cmd: b # tail\n\n# before plots\nplots:\n- x.csv\n";
    expect(await removed(text, "a")).toBe(
      "# top\nstages:\n  # first\n  b:\n    cmd: b # tail\n\n# before plots\nplots:\n- x.csv\n",
    );
    expect(await removed(text, "b")).toBe(
      "# top\nstages:\n  # first\n  a:  # on a\n    cmd: a\n\n  # before b\nplots:\n- x.csv\n",
    );
  });

  it("writes the rest in dvc's layout, and keeps a flow mapping flow", async () => {
    expect(
      await removed(
        'stages:\n    a:\n        cmd: a\n    b:\n        cmd: "b"\n        outs:\n          - o\n',
        "a",
      ),
    ).toBe("stages:\n  b:\n    cmd: b\n    outs:\n    - o\n");
    expect(await removed("stages: {a: {cmd: a}, b: {cmd: b}}\n", "a")).toBe("stages: {b: {cmd: b}}\n");
  });

  it("removes the lock entry, and both files once their last stage is gone", async () => {
    await writeFile(join(dir, "dvc.lock"), "schema: '2.0'\nstages:\n  a:\n    cmd: a\n  b:\n    cmd: b\n");
    await removed("stages:\n  a:\n    cmd: a\n  b:\n    cmd: b\n", "a");
    expect(await readFile(join(dir, "dvc.lock"), "utf8")).toBe("schema: '2.0'\nstages:\n  b:\n    cmd: b\n");
    await removePipelineStage(join(dir, "dvc.yaml"), "b");
    await expect(access(join(dir, "dvc.yaml"))).rejects.toThrow();
    await expect(access(join(dir, "dvc.lock"))).rejects.toThrow();
  });

  it("keeps top-level keys under an empty stages mapping (dvc deletes the file)", async () => {
    expect(await removed("metrics:\n- m.json\nstages:\n  a:\n    cmd: a\n", "a")).toBe(
      "metrics:\n- m.json\nstages: {}\n",
    );
  });
});
