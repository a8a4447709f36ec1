/**
 * Ints beyond 2**53 in params files, as Python keeps them: exact in dvc.lock, in the run-cache key, in change
 * detection and in `params diff`. Read as JS numbers, 12345678901234567890 was written back as
 * 12345678901234567000 (dvc then called the param modified) and a change to its last digits went unseen.
 */
import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { closeDataRepo, initDataRepo, type DataRepo } from "../data/dataRepo.js";
import { paramsDiff } from "./paramsDiff.js";
import { pipelineStatus, pipelineStatusJson } from "./pipelineStatus.js";
import { parsePythonJson, parsePythonYaml, pyEquals, PyInt, pyJsonDumps } from "./pythonValues.js";
import { repro } from "./repro.js";

const BIG = "12345678901234567890";

describe("ints beyond 2**53", () => {
  it("are read exactly from YAML and JSON, compared exactly and written as their digits", () => {
    const yaml = parsePythonYaml("params.yaml", `seed: ${BIG}\nsmall: 7\nneg: -${BIG}\n`).value;
    expect(yaml).toEqual({ seed: new PyInt(BigInt(BIG)), small: 7, neg: new PyInt(-BigInt(BIG)) });
    expect(parsePythonJson("p.json", `{"seed": ${BIG}, "f": 1.5}`)).toEqual({
      seed: new PyInt(BigInt(BIG)),
      f: 1.5,
    });
    expect(pyJsonDumps(yaml)).toBe(`{"seed": ${BIG}, "small": 7, "neg": -${BIG}}`);
    expect(pyEquals(new PyInt(BigInt(BIG)), new PyInt(BigInt(BIG) + 1n))).toBe(false);
    expect(pyEquals(new PyInt(2n ** 60n), 2 ** 60)).toBe(true);
  });

  describe("in a pipeline", () => {
    let root: string;
    let repo: DataRepo;
    beforeEach(async () => {
      root = await mkdtemp(join(tmpdir(), "flowops-bigint-"));
      execFileSync("git", ["init", "-q"], { cwd: root });
      repo = await initDataRepo(root);
      await writeFile(join(root, "params.yaml"), `seed: ${BIG}\n`);
      await writeFile(
        join(root, "dvc.yaml"),
        "stages:\n  s:\n    cmd: echo ${seed} > o\n    params: [seed]\n    outs: [o]\n",
      );
      expect((await repro(repo)).ok).toBe(true);
    });
    afterEach(async () => {
      closeDataRepo(repo);
      await rm(root, { recursive: true, force: true });
    });

    it("records the seed exactly and sees a change to its last digit", async () => {
      expect(await readFile(join(root, "dvc.lock"), "utf8")).toContain(`seed: ${BIG}\n`);
      expect(await readFile(join(root, "o"), "utf8")).toBe(`${BIG}\n`);
      expect(pipelineStatusJson(await pipelineStatus(repo))).toEqual({});
      execFileSync("git", ["add", "-A"], { cwd: root });
      execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "c"], { cwd: root });
      await writeFile(join(root, "params.yaml"), "seed: 12345678901234567891\n");
      expect(pipelineStatusJson(await pipelineStatus(repo))).toEqual({
        // The command interpolates the seed, so it changed too (as dvc reports it).
        s: [{ "changed deps": { "params.yaml": { seed: "modified" } } }, "changed command"],
      });
      expect(await paramsDiff(root)).toEqual({
        "params.yaml": {
          seed: { old: new PyInt(BigInt(BIG)), new: new PyInt(BigInt(BIG) + 1n), diff: 1 },
        },
      });
    });
  });
});
