import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metricsShow } from "./metricsFiles.js";

// Expected entries are what `dvc metrics show --json` (dvc 3.67.1) prints for each damaged file: dvc names the
// file by its path in the repo's file system ("/<path>") relative to the cwd, a missing one by its repo path.
describe("metrics files dvc cannot read", () => {
  let root: string;
  const write = (name: string, content: string | Buffer): void => writeFileSync(join(root, name), content);
  const named = (cwd: string, path: string): string => relative(cwd, `/${path}`);

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "flowops-metrics-errors-"));
    mkdirSync(join(root, "sub"));
    write(
      "dvc.yaml",
      "metrics:\n- bad.json\n- bad.yaml\n- bad.toml\n- bad.txt\n- enc.json\n- missing.json\n- sub/bad.json\n",
    );
    write("bad.json", '{"a": 1,');
    write("bad.yaml", "a: [1\n");
    write("bad.toml", "a = [");
    write("bad.txt", "a: [");
    write("enc.json", Buffer.from([0xff, 0xfe, 0x7b]));
    write("sub/bad.json", '{"a": ');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it.each([
    ["the repo root", ""],
    ["a subdirectory", "sub"],
  ])("gives dvc's error type and message for each, from %s", async (_, dir) => {
    const cwd = join(root, dir);
    const shown = await metricsShow(root, undefined, { cwd });
    const corrupted = (path: string, kind: string) => ({
      error: {
        type: `${kind}FileCorruptedError`,
        msg: `unable to read: '${named(cwd, path)}', ${kind} file structure is corrupted`,
      },
    });
    expect(shown[""]?.data).toEqual({
      "bad.json": corrupted("bad.json", "JSON"),
      "bad.yaml": corrupted("bad.yaml", "YAML"),
      "bad.toml": corrupted("bad.toml", "TOML"),
      // dvc reads any other suffix as YAML.
      "bad.txt": corrupted("bad.txt", "YAML"),
      "enc.json": {
        error: {
          type: "EncodingError",
          msg: `unable to read: '${named(cwd, "enc.json")}', is not valid utf-8`,
        },
      },
      "missing.json": {
        error: { type: "FileNotFoundError", msg: "[Errno 2] No such file or directory: 'missing.json'" },
      },
      "sub/bad.json": corrupted("sub/bad.json", "JSON"),
    });
  });
});
