import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  lockCmd,
  parseLock,
  readLock,
  serializeLock,
  updateLock,
  writeLock,
  type LockEntry,
} from "./dvcLock.js";
import { readPipeline } from "./dvcYaml.js";
import { buildDag } from "./pipelineDag.js";
import { PyFloat } from "./pythonValues.js";

// Written by `dvc repro` (dvc 3.67.1) for two stages: deps incl. a directory, params from params.yaml,
// extra.json (keys) and conf.toml (whole file), a list cmd, a long cmd that ruamel wraps (with its trailing
// space), and a metrics file with cache: false.
const DVC_LOCK = `${[
  "schema: '2.0'",
  "stages:",
  "  prepare:",
  "    cmd: mkdir -p out/prepared && cp data/raw/* out/prepared/ && echo cnn > ",
  "      out/name.txt",
  "    deps:",
  "    - path: data/raw",
  "      hash: md5",
  "      md5: dc4fbfcdc3f536342d7edbc8d93e0690.dir",
  "      size: 14",
  "      nfiles: 2",
  "    params:",
  "      params.yaml:",
  "        lr: 0.001",
  "        model:",
  "          name: cnn",
  "          layers:",
  "          - 64",
  "          - 32",
  "          dropout: 0.5",
  "      extra.json:",
  "        opt.name: adam",
  "        seed: 42",
  "    outs:",
  "    - path: out/name.txt",
  "      hash: md5",
  "      md5: e19c28bfab447b9c0994a4ad87471b25",
  "      size: 4",
  "    - path: out/prepared",
  "      hash: md5",
  "      md5: dc4fbfcdc3f536342d7edbc8d93e0690.dir",
  "      size: 14",
  "      nfiles: 2",
  "  train:",
  "    cmd:",
  "    - python3 train.py",
  '    - "echo \'{\\"acc\\": 0.9, \\"loss\\": {\\"train\\": 0.1}}\' > metrics.json"',
  "    - echo done > model.bin",
  "    deps:",
  "    - path: out/prepared",
  "      hash: md5",
  "      md5: dc4fbfcdc3f536342d7edbc8d93e0690.dir",
  "      size: 14",
  "      nfiles: 2",
  "    - path: train.py",
  "      hash: md5",
  "      md5: dee5c46989f5ec092311188f4fe829c3",
  "      size: 9",
  "    params:",
  "      params.yaml:",
  "        epochs: 10",
  "        flag: true",
  "        small: 1e-05",
  "        whole: 1.0",
  "      conf.toml:",
  "        data:",
  "          split: 0.2",
  "    outs:",
  "    - path: metrics.json",
  "      hash: md5",
  "      md5: 9919ab3d078b69076d736ae9a4e096a5",
  "      size: 37",
  "    - path: model.bin",
  "      hash: md5",
  "      md5: 678e5e019a79526d0fcca5e29f6e5f78",
  "      size: 5",
].join("\n")}\n`;

describe("dvc.lock", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-lock-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("reads a lock written by dvc and serializes it back byte for byte", () => {
    const lock = parseLock("dvc.lock", DVC_LOCK);
    expect(serializeLock(lock)).toBe(DVC_LOCK);
  });

  it("keeps Python's float kinds: 1.0 stays a float and 1e-05 keeps its exponent", () => {
    const train = parseLock("dvc.lock", DVC_LOCK).stages.get("train");
    expect(train?.params["params.yaml"]?.whole).toBeInstanceOf(PyFloat);
    expect(train?.params["params.yaml"]?.small).toBe(0.00001);
  });

  it("writes dvc's key order, sorted paths and params file order for an entry built in code", () => {
    const prepare: LockEntry = {
      cmd: "mkdir -p out/prepared && cp data/raw/* out/prepared/ && echo cnn > out/name.txt",
      // Deliberately unsorted: the serializer sorts deps and outs by path and params keys and files.
      deps: [
        { path: "data/raw", hash: "md5", md5: "dc4fbfcdc3f536342d7edbc8d93e0690.dir", size: 14, nfiles: 2 },
      ],
      params: {
        "extra.json": { seed: 42, "opt.name": "adam" },
        "params.yaml": { model: { name: "cnn", layers: [64, 32], dropout: 0.5 }, lr: 0.001 },
      },
      outs: [
        {
          path: "out/prepared",
          hash: "md5",
          md5: "dc4fbfcdc3f536342d7edbc8d93e0690.dir",
          size: 14,
          nfiles: 2,
        },
        { path: "out/name.txt", hash: "md5", md5: "e19c28bfab447b9c0994a4ad87471b25", size: 4 },
      ],
    };
    const train: LockEntry = {
      cmd: [
        "python3 train.py",
        `echo '{"acc": 0.9, "loss": {"train": 0.1}}' > metrics.json`,
        "echo done > model.bin",
      ],
      deps: [
        { path: "train.py", hash: "md5", md5: "dee5c46989f5ec092311188f4fe829c3", size: 9 },
        {
          path: "out/prepared",
          hash: "md5",
          md5: "dc4fbfcdc3f536342d7edbc8d93e0690.dir",
          size: 14,
          nfiles: 2,
        },
      ],
      params: {
        "conf.toml": { data: { split: 0.2 } },
        "params.yaml": { small: 0.00001, whole: new PyFloat(1), flag: true, epochs: 10 },
      },
      outs: [
        { path: "model.bin", hash: "md5", md5: "678e5e019a79526d0fcca5e29f6e5f78", size: 5 },
        { path: "metrics.json", hash: "md5", md5: "9919ab3d078b69076d736ae9a4e096a5", size: 37 },
      ],
    };
    const text = serializeLock({
      stages: new Map([
        ["prepare", prepare],
        ["train", train],
      ]),
    });
    expect(text).toBe(DVC_LOCK);
  });

  it("reads a missing dvc.lock as empty and writes one atomically", async () => {
    expect((await readLock(root)).stages.size).toBe(0);
    await writeLock(root, parseLock("dvc.lock", DVC_LOCK));
    expect(readFileSync(join(root, "dvc.lock"), "utf8")).toBe(DVC_LOCK);
  });

  it("updates one entry in place and appends new stages, keeping the others", async () => {
    writeFileSync(join(root, "dvc.lock"), DVC_LOCK);
    await Promise.all([
      updateLock(root, (lock) => lock.stages.set("prepare", { cmd: "true", deps: [], params: {}, outs: [] })),
      updateLock(root, (lock) => lock.stages.set("zzz", { cmd: "echo", deps: [], params: {}, outs: [] })),
    ]);
    const lock = await readLock(root);
    expect([...lock.stages.keys()]).toEqual(["prepare", "train", "zzz"]);
    expect(lock.stages.get("prepare")).toEqual({ cmd: "true", deps: [], params: {}, outs: [] });
    expect(readFileSync(join(root, "dvc.lock"), "utf8")).toContain("  prepare:\n    cmd: 'true'\n  train:\n");
  });

  // Regression: an empty dvc.lock read as no lock, so repro reran every stage and status reported them all
  // changed; dvc 3.67.1 refuses it ("required key not provided") and runs nothing.
  it("refuses an empty or whitespace-only dvc.lock, and one without its schema, as dvc does", async () => {
    for (const text of ["", "  \n\n", "# nothing yet\n"]) {
      expect(() => parseLock("dvc.lock", text)).toThrow(
        "dvc.lock:1: required key not provided @ data['schema'] (expected schema: '2.0')",
      );
    }
    expect(() => parseLock("dvc.lock", "stages: {}\n")).toThrow(/dvc\.lock:1: required key not provided/);
    writeFileSync(join(root, "dvc.lock"), "");
    await expect(readLock(root)).rejects.toThrow(`${join(root, "dvc.lock")}:1: required key not provided`);
  });

  it("rejects another schema version and unknown keys with their lines", () => {
    expect(() => parseLock("dvc.lock", "schema: '1.0'\nstages: {}\n")).toThrow(
      /dvc\.lock:1: invalid schema version/,
    );
    expect(() => parseLock("dvc.lock", "schema: '2.0'\nstages:\n  a:\n    cmd: x\n    foo: 1\n")).toThrow(
      /dvc\.lock:5: stage 'a': extra key 'foo' not allowed/,
    );
    expect(() =>
      parseLock("dvc.lock", "schema: '2.0'\nstages:\n  a:\n    cmd: x\n    outs:\n    - md5: abc\n"),
    ).toThrow(/dvc\.lock:6: stage 'a': outs\[0\] needs a 'path'/);
  });
});

// Regression: an out md5 cut short passed, and the cache then failed with "'ac1f' is not an md5 object id".
describe("dvc.lock with a damaged out hash", () => {
  it("names the lock, line and out whose md5 is not an md5, and still takes a damaged dep md5", () => {
    const lock = (md5: string, depMd5: string): string =>
      `schema: '2.0'\nstages:\n  prep:\n    cmd: make\n    deps:\n    - path: in.csv\n      md5: ${depMd5}\n` +
      `    outs:\n    - path: out.csv\n      md5: ${md5}\n`;
    expect(() => parseLock("dvc.lock", lock("ac1f1c38", "a".repeat(32)))).toThrow(
      `dvc.lock:10: stage 'prep': outs[0].md5 must be an md5 hex digest, got "ac1f1c38"`,
    );
    expect(parseLock("dvc.lock", lock("b".repeat(32), "ac1f")).stages.get("prep")?.deps[0]?.md5).toBe("ac1f");
  });
});

describe("dvc.lock with generated stages and a working directory", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-lock2-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  // dvc.yaml and the dvc.lock `dvc repro` (3.67.1) wrote for it: foreach stages, isexec outs, a stage in
  // `wdir: sub` whose paths and default params file are relative to sub/.
  const YAML = `${[
    "stages:",
    "  gen:",
    "    foreach: [x, y]",
    "    do:",
    "      cmd: printf '#!/bin/sh\\necho ${item}\\n' > ${item}.sh && chmod +x ${item}.sh",
    "      outs:",
    "      - ${item}.sh",
    "  inner:",
    "    wdir: sub",
    "    cmd: cat ../x.sh > copy.txt",
    "    deps: [../x.sh]",
    "    params: [n]",
    "    outs:",
    "    - copy.txt:",
    "        persist: true",
  ].join("\n")}\n`;
  const LOCK = `${[
    "schema: '2.0'",
    "stages:",
    "  gen@x:",
    "    cmd: printf '#!/bin/sh\\necho x\\n' > x.sh && chmod +x x.sh",
    "    outs:",
    "    - path: x.sh",
    "      hash: md5",
    "      md5: 28551f31dcf6fb1aba234c766a6eee48",
    "      size: 17",
    "      isexec: true",
    "  gen@y:",
    "    cmd: printf '#!/bin/sh\\necho y\\n' > y.sh && chmod +x y.sh",
    "    outs:",
    "    - path: y.sh",
    "      hash: md5",
    "      md5: 8c384a6e77e9c6c0d21dcc6f21080af6",
    "      size: 17",
    "      isexec: true",
    "  inner:",
    "    cmd: cat ../x.sh > copy.txt",
    "    deps:",
    "    - path: ../x.sh",
    "      hash: md5",
    "      md5: 28551f31dcf6fb1aba234c766a6eee48",
    "      size: 17",
    "      isexec: true",
    "    params:",
    "      params.yaml:",
    "        n: 2",
    "    outs:",
    "    - path: copy.txt",
    "      hash: md5",
    "      md5: 28551f31dcf6fb1aba234c766a6eee48",
    "      size: 17",
  ].join("\n")}\n`;

  it("round-trips byte for byte and matches the pipeline's stage names, commands and edges", async () => {
    const lock = parseLock("dvc.lock", LOCK);
    expect(serializeLock(lock)).toBe(LOCK);
    writeFileSync(join(root, "dvc.yaml"), YAML);
    mkdirSync(join(root, "sub"));
    writeFileSync(join(root, "sub", "params.yaml"), "n: 2\n");
    const pipeline = await readPipeline(root);
    expect(pipeline.stages.map((s) => s.name)).toEqual([...lock.stages.keys()]);
    for (const stage of pipeline.stages) expect(lockCmd(stage)).toEqual(lock.stages.get(stage.name)?.cmd);
    expect(pipeline.stages[2]?.params).toEqual([{ file: "params.yaml", keys: ["n"] }]);
    expect(buildDag(pipeline).edges).toEqual([["gen@x", "inner"]]);
  });
});
