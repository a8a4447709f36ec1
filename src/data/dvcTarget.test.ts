import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { notADvcFile, parseDvcTarget, targetFile } from "./dvcTarget.js";

describe("parseDvcTarget (dvc's parse_target)", () => {
  it("splits file:name at the last colon, keeps @keys whole, and reads a bare name as a stage", () => {
    expect(parseDvcTarget("")).toEqual({});
    expect(parseDvcTarget("train")).toEqual({ name: "train" });
    expect(parseDvcTarget("sub/dvc.yaml:train")).toEqual({ path: "sub/dvc.yaml", name: "train" });
    expect(parseDvcTarget("dvc.yaml:loop@a:b")).toEqual({ path: "dvc.yaml", name: "loop@a:b" });
    expect(parseDvcTarget("a:b:c")).toEqual({ path: "a:b", name: "c" });
    expect(parseDvcTarget("data.dvc")).toEqual({ path: "data.dvc" });
    expect(parseDvcTarget("sub/dvc.yaml")).toEqual({ path: "sub/dvc.yaml" });
    expect(parseDvcTarget("../e")).toEqual({ name: "../e" });
  });

  it("points from dvc.lock to dvc.yaml, as dvc does", () => {
    expect(() => parseDvcTarget("../dvc.lock:x")).toThrow("Did you mean: `../dvc.yaml:x`?");
  });
});

describe("targetFile", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "flowops-target-"));
    await writeFile(join(dir, "x.yml"), "a: 1\n");
    await writeFile(join(dir, "a.txt.dvc"), "outs: []\n");
    await mkdir(join(dir, "d.dvc"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("names what is wrong with dvc's messages", () => {
    expect(() => targetFile(dir, undefined)).toThrow("'dvc.yaml' does not exist");
    expect(() => targetFile(dir, "n.dvc")).toThrow(`'${join(dir, "n.dvc")}' does not exist`);
    expect(() => targetFile(dir, "x.yml")).toThrow(
      "bad DVC file name 'x.yml'. DVC files should be named 'dvc.yaml' or have a '.dvc' suffix (e.g. 'x.yml.dvc').",
    );
    expect(() => targetFile(dir, "d.dvc")).toThrow(`'${join(dir, "d.dvc")}' is not a .dvc file`);
    expect(targetFile(dir, "a.txt.dvc")).toBe(join(dir, "a.txt.dvc"));
    expect(notADvcFile("a.txt", dir).message).toBe("'a.txt' is not a .dvc file. Do you mean 'a.txt.dvc'?");
  });
});
