import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  findDvcFiles,
  readDvcFile,
  selectTrackedOuts,
  loadTrackedOuts,
  serializeDvcFile,
} from "./dvcFile.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-dvcfile-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

// Bytes written by `dvc add foo` and `dvc add d` (dvc 3.67.1).
const FILE_DVC = "outs:\n- md5: d3b07384d113edec49eaa6238ad5ff00\n  size: 4\n  hash: md5\n  path: foo\n";
const DIR_DVC =
  "outs:\n- md5: 8b3662b0d460701f7734cdf533c5aa85.dir\n  size: 4\n  nfiles: 2\n  hash: md5\n  path: d\n";

describe("serializeDvcFile", () => {
  it("writes a file out byte-identical to dvc add", () => {
    const outs = [{ path: "foo", hash: "md5" as const, size: 4, md5: "d3b07384d113edec49eaa6238ad5ff00" }];
    expect(serializeDvcFile({ outs })).toBe(FILE_DVC);
  });

  it("writes a directory out byte-identical to dvc add", () => {
    const outs = [
      { nfiles: 2, path: "d", md5: "8b3662b0d460701f7734cdf533c5aa85.dir", size: 4, hash: "md5" as const },
    ];
    expect(serializeDvcFile({ outs })).toBe(DIR_DVC);
  });

  it("quotes paths that YAML 1.1 reads as something else, and escapes control characters, as dvc add does", () => {
    // Each `path:` line as dvc 3.67.1 writes it; DVC cannot load the plain forms.
    const cases: [string, string][] = [
      ["2024-01-01", "'2024-01-01'"],
      ["=", "'='"],
      ["<<", "'<<'"],
      ["0b101", "'0b101'"],
      ["1_000", "'1_000'"],
      ["yes", "yes"],
      ["a\tb", '"a\\tb"'],
      ["plain name.csv", "plain name.csv"],
    ];
    for (const [path, written] of cases) {
      const outs = [{ path, hash: "md5" as const, size: 4, md5: "d3b07384d113edec49eaa6238ad5ff00" }];
      expect(serializeDvcFile({ outs })).toBe(FILE_DVC.replace("path: foo", `path: ${written}`));
    }
  });

  it("keeps extra out keys after path and unknown top-level keys", () => {
    const outs = [
      { path: "foo", remote: "r", md5: "d3b07384d113edec49eaa6238ad5ff00", size: 4, hash: "md5" as const },
    ];
    const text = serializeDvcFile({ outs, raw: { meta: { owner: "x" }, outs: [] } });
    expect(text).toBe(`${FILE_DVC}  remote: r\nmeta:\n  owner: x\n`);
  });

  it("round-trips what it reads", async () => {
    await writeFile(join(dir, "d.dvc"), DIR_DVC);
    const doc = await readDvcFile(join(dir, "d.dvc"), dir);
    expect(serializeDvcFile(doc)).toBe(DIR_DVC);
  });
});

describe("readDvcFile", () => {
  it("names the file, line and field of a bad value", async () => {
    const path = join(dir, "bad.dvc");
    await writeFile(path, "outs:\n- md5: d3b07384d113edec49eaa6238ad5ff00\n  size: big\n  path: foo\n");
    await expect(readDvcFile(path, dir)).rejects.toThrow(
      `${path}:3: outs[0].size must be a non-negative integer`,
    );
  });

  // Regression: JSON showed a size too large for a double (1e400) as "got null".
  it("shows a number too large to read as such, not as null", async () => {
    const path = join(dir, "huge.dvc");
    await writeFile(
      path,
      `outs:\n- md5: d3b07384d113edec49eaa6238ad5ff00\n  size: 1${"0".repeat(400)}\n  path: foo\n`,
    );
    await expect(readDvcFile(path, dir)).rejects.toThrow(
      `${path}:3: outs[0].size must be a non-negative integer, got Infinity (a number too large)`,
    );
  });

  it("refuses keys dvc's schema does not allow, in an out or at the top, naming file, line and key", async () => {
    const path = join(dir, "extra.dvc");
    await writeFile(path, `${FILE_DVC}  bogus: 1\n`);
    // dvc 3.67.1: "extra keys not allowed, in outs -> 0 -> bogus" (exit 1 from status).
    await expect(readDvcFile(path, dir)).rejects.toThrow(
      `${path}:6: extra keys not allowed, in outs -> 0 -> bogus`,
    );
    // `metric:` belongs to dvc.yaml outs only; dvc refuses it in a .dvc file too.
    await writeFile(path, `${FILE_DVC}  metric: true\n`);
    await expect(readDvcFile(path, dir)).rejects.toThrow("in outs -> 0 -> metric");
    await writeFile(path, `${FILE_DVC}bogus: 1\n`);
    await expect(readDvcFile(path, dir)).rejects.toThrow(`${path}:6: extra keys not allowed, in bogus`);
    // Every key of dvc's out and stage schemas is still read.
    await writeFile(
      path,
      `${FILE_DVC}  cache: true\n  remote: r\n  push: true\n  persist: false\n  desc: d\n  type: model\n` +
        "  labels: [a]\n  meta: {k: v}\nfrozen: true\ndesc: top\nmeta: {owner: x}\n",
    );
    expect((await readDvcFile(path, dir)).outs[0]).toMatchObject({ type: "model", labels: ["a"] });
  });

  it("rejects a file without outs", async () => {
    const path = join(dir, "empty.dvc");
    await writeFile(path, "wdir: .\n");
    await expect(readDvcFile(path, dir)).rejects.toThrow(/empty\.dvc:1: 'outs' must be a non-empty list/);
  });

  it("refuses an out outside the repository, naming the file and line, and keeps one that climbs inside it", async () => {
    await mkdir(join(dir, "sub"));
    const out = (path: string): string =>
      `outs:\n- md5: d3b07384d113edec49eaa6238ad5ff00\n  size: 4\n  hash: md5\n  path: ${path}\n`;
    const inside = join(dir, "sub", "ok.dvc");
    await writeFile(inside, out("../foo"));
    expect((await readDvcFile(inside, dir)).outs[0]?.path).toBe("../foo");
    for (const [name, path] of [
      ["up.dvc", "../../escaped.txt"],
      ["abs.dvc", "/etc/passwd"],
      ["root.dvc", ".."],
    ] as const) {
      const file = join(dir, "sub", name);
      await writeFile(file, out(path));
      await expect(readDvcFile(file, dir)).rejects.toThrow(
        `${file}:5: outs[0].path '${path}' is outside the repository (${dir})`,
      );
    }
    const wdirFile = join(dir, "wdir.dvc");
    await writeFile(wdirFile, `${out("x")}wdir: ..\n`);
    await expect(readDvcFile(wdirFile, dir)).rejects.toThrow("outs[0].path 'x' is outside the repository");
    await expect(loadTrackedOuts({ root: dir })).rejects.toThrow("is outside the repository");
  });

  it("reads a DVC 2 entry (no hash key) as legacy", async () => {
    const path = join(dir, "old.dvc");
    await writeFile(path, "outs:\n- md5: d3b07384d113edec49eaa6238ad5ff00\n  size: 4\n  path: foo\n");
    const doc = await readDvcFile(path, dir);
    expect(doc.outs[0]?.hash).toBeUndefined();
  });
});

describe("findDvcFiles and selectTrackedOuts", () => {
  it("finds .dvc files outside .git and .dvc and resolves targets to outs", async () => {
    await mkdir(join(dir, ".git"));
    await mkdir(join(dir, ".dvc"));
    await mkdir(join(dir, "sub"));
    await writeFile(join(dir, ".git", "x.dvc"), FILE_DVC);
    await writeFile(join(dir, ".dvc", "y.dvc"), FILE_DVC);
    await writeFile(join(dir, "foo.dvc"), FILE_DVC);
    await writeFile(join(dir, "sub", "d.dvc"), DIR_DVC);
    const repo = { root: dir };
    expect(await findDvcFiles(repo)).toEqual([join(dir, "foo.dvc"), join(dir, "sub", "d.dvc")]);
    const tracked = await loadTrackedOuts(repo);
    expect(tracked.map((t) => t.abs)).toEqual([join(dir, "foo"), join(dir, "sub", "d")]);
    expect(selectTrackedOuts(tracked, ["sub/d/inner.txt"], dir).map((t) => t.abs)).toEqual([
      join(dir, "sub", "d"),
    ]);
    expect(selectTrackedOuts(tracked, ["foo.dvc"], dir).map((t) => t.abs)).toEqual([join(dir, "foo")]);
    expect(() => selectTrackedOuts(tracked, ["nope"], dir)).toThrow(
      /'nope' does not exist as an output or a \.dvc file/,
    );
  });

  it("does not look for .dvc files inside tracked outputs, as DVC's collect_files does not", async () => {
    await mkdir(join(dir, "sub", "d", "deeper"), { recursive: true });
    await writeFile(join(dir, "sub", "d.dvc"), DIR_DVC);
    await writeFile(join(dir, "sub", "d", "deeper", "inner.dvc"), FILE_DVC);
    await mkdir(join(dir, "other"));
    await writeFile(join(dir, "other", "foo.dvc"), FILE_DVC);
    const tracked = await loadTrackedOuts({ root: dir });
    expect(tracked.map((t) => t.dvcFile)).toEqual([join(dir, "other", "foo.dvc"), join(dir, "sub", "d.dvc")]);
    // findDvcFiles (used by gc) still sees every file.
    expect(await findDvcFiles({ root: dir })).toContain(join(dir, "sub", "d", "deeper", "inner.dvc"));
  });
});
