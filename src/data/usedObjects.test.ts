import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dirManifestOid, serializeDirManifest } from "./dirManifest.js";
import { ObjectCache } from "./objectCache.js";
import { lockOuts } from "./lockOuts.js";
import { expandOuts, outsFilter, selectOuts, type TrackedOut } from "./usedObjects.js";

const ROOT = "/work/project";
const OUTS: TrackedOut[] = [
  { dvcFile: "data.dvc", path: "data", md5: "a".repeat(32) + ".dir" },
  { dvcFile: "models/model.pkl.dvc", path: "models/model.pkl", md5: "b".repeat(32) },
  { dvcFile: "dvc.lock", stage: "train", path: "out/metrics.json", md5: "c".repeat(32) },
  { dvcFile: "sub/dvc.lock", stage: "sub/dvc.yaml:train", path: "sub/model", md5: "d".repeat(32) },
];

describe("selectOuts", () => {
  const select = (...targets: string[]) => selectOuts({ root: ROOT }, OUTS, targets).map((out) => out.path);

  it("selects by .dvc file, stage name, tracked path and enclosing directory", () => {
    expect(select(`${ROOT}/data.dvc`)).toEqual(["data"]);
    expect(select("train")).toEqual(["out/metrics.json"]);
    expect(select("dvc.yaml:train")).toEqual(["out/metrics.json"]);
    expect(select("sub/dvc.yaml:train")).toEqual(["sub/model"]);
    expect(select(`${ROOT}/sub/dvc.yaml`)).toEqual(["sub/model"]);
    expect(select(`${ROOT}/models/model.pkl`)).toEqual(["models/model.pkl"]);
    expect(select(`${ROOT}/models`)).toEqual(["models/model.pkl"]);
  });

  it("selects only the asked-for files of a tracked directory for a path inside it", () => {
    const [out] = selectOuts({ root: ROOT }, OUTS, [`${ROOT}/data/images/1.png`, `${ROOT}/data/labels`]);
    expect(out).toMatchObject({ path: "data", within: ["images/1.png", "labels"] });
    const [whole] = selectOuts({ root: ROOT }, OUTS, [`${ROOT}/data/labels`, `${ROOT}/data.dvc`]);
    expect(whole?.within).toBeUndefined();
  });

  it("says an import's .dvc file records no data yet, rather than that it does not exist", () => {
    const dir = mkdtempSync(join(tmpdir(), "flowops-select-"));
    try {
      writeFileSync(join(dir, "raw.dvc"), "frozen: true\nouts:\n- hash: md5\n  path: raw\n");
      expect(() => selectOuts({ root: dir }, [], [join(dir, "raw.dvc")])).toThrow(
        "records no data yet (imported with --no-download or --no-exec)",
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  // dvc 3.67.1's `dvc push s` / `dvc push nope.txt:s` messages, the cause after the colon included.
  it("says why a target names no stage, as dvc appends the cause of its NoOutputOrStageError", () => {
    const dir = mkdtempSync(join(tmpdir(), "flowops-select-"));
    try {
      writeFileSync(join(dir, "dvc.yaml"), "stages:\n  a:\n    cmd: echo a\n");
      const selectIn = (target: string) => () => selectOuts({ root: dir }, [], [target], { cwd: dir });
      expect(selectIn("s")).toThrow(
        /^'s' does not exist as an output or a stage name in 'dvc.yaml': Stage 's' not found inside 'dvc.yaml' file$/,
      );
      expect(selectIn("dvc.yaml:s")).toThrow(/^Stage 's' not found inside 'dvc.yaml' file$/);
      const missing = join(dir, "nope.txt");
      expect(selectIn("nope.txt:s")).toThrow(
        `'nope.txt:s' does not exist as an output or a stage name in '${missing}': '${missing}' does not exist`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("names a target that matches nothing, as DVC does", () => {
    expect(() => select(`${ROOT}/missing.dvc`)).toThrow(`'${ROOT}/missing.dvc' does not exist`);
    expect(() => select("nostage")).toThrow(
      "'nostage' does not exist as an output or a stage name in 'dvc.yaml'",
    );
  });
});

describe("expandOuts", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "flowops-used-"));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const md5 = (text: string) => createHash("md5").update(text).digest("hex");

  it("lists a directory's manifest and files with their workspace paths", async () => {
    const cache = new ObjectCache(dir);
    const manifest = serializeDirManifest([
      { relpath: "x", md5: md5("x") },
      { relpath: "sub/y", md5: md5("y") },
    ]);
    const oid = dirManifestOid(manifest);
    await cache.addBytes(oid, manifest);
    const used = await expandOuts({ cache }, [{ dvcFile: "data.dvc", path: "data", md5: oid }]);
    expect(Object.fromEntries([...used].map(([key, owner]) => [key, owner.path]))).toEqual({
      [oid]: "data",
      [md5("x")]: "data/x",
      [md5("y")]: "data/sub/y",
    });
  });

  it("keeps only the files under the asked-for paths of a granular target, and the manifest", async () => {
    const cache = new ObjectCache(dir);
    const manifest = serializeDirManifest([
      { relpath: "x", md5: md5("x") },
      { relpath: "sub/y", md5: md5("y") },
      { relpath: "sub/z", md5: md5("z") },
    ]);
    const oid = dirManifestOid(manifest);
    await cache.addBytes(oid, manifest);
    const used = await expandOuts({ cache }, [
      { dvcFile: "data.dvc", path: "data", md5: oid, within: ["sub"] },
    ]);
    expect([...used.values()].map((owner) => owner.path).sort()).toEqual([
      "data",
      "data/sub/y",
      "data/sub/z",
    ]);
    expect(used.get(oid)?.path).toBe("data");
  });

  it("marks a directory whose manifest is missing or corrupt instead of failing", async () => {
    const cache = new ObjectCache(dir);
    const manifest = serializeDirManifest([{ relpath: "x", md5: md5("x") }]);
    const oid = dirManifestOid(manifest);
    await cache.addBytes(oid, manifest);
    chmodSync(cache.objectPath(oid), 0o644);
    writeFileSync(cache.objectPath(oid), "[]");
    const absent = `${md5("nothing")}.dir`;
    const used = await expandOuts({ cache }, [
      { dvcFile: "a.dvc", path: "a", md5: oid },
      { dvcFile: "b.dvc", path: "b", md5: absent },
    ]);
    expect(used.get(oid)?.unexpanded).toBe("corrupt");
    expect(used.get(absent)?.unexpanded).toBe("missing");
    expect(used.size).toBe(2);
  });
});

describe("lockOuts", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-lockouts-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const lock = (stage: string, path: string, md5: string): string =>
    `schema: '2.0'\nstages:\n  ${stage}:\n    cmd: make\n    outs:\n    - path: ${path}\n      hash: md5\n      md5: ${md5}\n      size: 1\n      isexec: true\n`;

  /** The dvc.yaml declaring the out, without which dvc reads nothing from the lock beside it. */
  const pipeline = (stage: string, path: string): string =>
    `stages:\n  ${stage}:\n    cmd: make\n    outs:\n    - ${path}\n`;

  it("collects every dvc.lock, with paths from the root and stages named by their dvc.yaml", async () => {
    mkdirSync(join(root, "sub", "deeper"), { recursive: true });
    writeFileSync(join(root, "dvc.yaml"), pipeline("prep", "data/clean.csv"));
    writeFileSync(join(root, "sub", "dvc.yaml"), pipeline("train", "model.pkl"));
    writeFileSync(join(root, "sub", "deeper", "dvc.yaml"), pipeline("eval", "report.json"));
    writeFileSync(join(root, "dvc.lock"), lock("prep", "data/clean.csv", "a".repeat(32)));
    writeFileSync(join(root, "sub", "dvc.lock"), lock("train", "model.pkl", "b".repeat(32)));
    writeFileSync(join(root, "sub", "deeper", "dvc.lock"), lock("eval", "report.json", "c".repeat(32)));
    const outs = await lockOuts({ root });
    expect(outs.map((out) => [out.dvcFile, out.stage, out.path, out.isexec])).toEqual([
      ["dvc.lock", "prep", "data/clean.csv", true],
      ["sub/deeper/dvc.lock", "sub/deeper/dvc.yaml:eval", "sub/deeper/report.json", true],
      ["sub/dvc.lock", "sub/dvc.yaml:train", "sub/model.pkl", true],
    ]);
  });

  // Regression: lockEntries skipped what it could not read, so `data checkout` restored nothing, exit 0.
  it("refuses a damaged dvc.lock, naming its line, as dvc validates the lock first", async () => {
    writeFileSync(join(root, "dvc.lock"), "schema: '2.0'\nstages:\n- prep\n");
    await expect(lockOuts({ root })).rejects.toThrow(
      `${join(root, "dvc.lock")}:2: 'stages' must be a mapping`,
    );
  });

  // Regression: checkout, gc -w, push, pull and fetch collected the outs of a pipeline whose dvc.lock Git
  // ignores, where dvc's index refuses it.
  it("refuses a dvc.yaml whose dvc.lock Git ignores, even before the lock exists, as dvc's index does", async () => {
    mkdirSync(join(root, ".git"));
    mkdirSync(join(root, "sub"));
    writeFileSync(join(root, "sub", "dvc.yaml"), "stages:\n  a:\n    cmd: make\n");
    writeFileSync(join(root, "sub", ".gitignore"), "dvc.lock\n");
    await expect(lockOuts({ root })).rejects.toThrow(`'${join(root, "sub", "dvc.lock")}' is git-ignored.`);
    // Outside Git (core.no_scm) nothing is ignored.
    await expect(lockOuts({ root, scm: false })).resolves.toEqual([]);
  });

  it("walks past a dvc.yaml and a dvc.lock that live in a directory Git ignores, as dvc's index does", async () => {
    mkdirSync(join(root, ".git"));
    mkdirSync(join(root, "venv"));
    writeFileSync(join(root, ".gitignore"), "venv/\n");
    writeFileSync(join(root, "venv", "dvc.yaml"), "stages:\n  a:\n    cmd: make\n");
    writeFileSync(join(root, "venv", "dvc.lock"), lock("a", "x", "a".repeat(32)));
    await expect(lockOuts({ root })).resolves.toEqual([]);
  });
});

describe("outsFilter (fetch --max-size / --type)", () => {
  const out = (size?: number, kind?: "metrics" | "plots") => ({
    dvcFile: "x.dvc",
    path: "x",
    md5: "d41d8cd98f00b204e9800998ecf8427e",
    ...(size !== undefined ? { size } : {}),
    ...(kind !== undefined ? { kind } : {}),
  });

  it("leaves out outs of max-size bytes or more, keeps unknown sizes, and keeps only the types asked for", () => {
    expect(outsFilter(undefined, undefined)).toBeUndefined();
    const small = outsFilter(100, undefined)!;
    expect([small(out(99)), small(out(100)), small(out(500)), small(out())]).toEqual([
      true,
      false,
      false,
      true,
    ]);
    const metrics = outsFilter(undefined, ["metrics"])!;
    expect([metrics(out(1, "metrics")), metrics(out(1, "plots")), metrics(out(1))]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
