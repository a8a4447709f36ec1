// dvc's YAMLSyntaxError and YAMLValidationError for dvc.yaml, dvc.lock and `.dvc` files, and the places
// their messages give; the places were read from dvc 3.67.1's ruamel marks (dvc/utils/strictyaml.py `load`).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FlowOpsError } from "../errors.js";
import { parseLock } from "../pipelines/dvcLock.js";
import { parseParamsText } from "../pipelines/paramsFile.js";
import { readDvcFile } from "./dvcFile.js";
import { dvcFileErrorType } from "./dvcFileErrors.js";

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "flowops-dvcfileerrors-"));
  mkdirSync(join(root, ".dvc"));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function failure(run: () => unknown): FlowOpsError {
  try {
    run();
  } catch (error) {
    if (error instanceof FlowOpsError) return error;
    throw error;
  }
  throw new Error("no error");
}

describe("a dvc file that is not YAML", () => {
  // [text, dvc's marks as "line,column": the context mark where it has one, then the problem mark].
  it.each([
    ["a flow list left open", "schema: '2.0'\nstages: [\n", ["3,1", "3,1"]],
    ["an unclosed quote", 'stages:\n  a:\n    cmd: "echo\n    outs:\n    - a\n', ["3,10", "6,1"]],
    ["an over-indented key", "stages:\n  a:\n    cmd: echo\n      outs: x\n", ["4,11"]],
    ["a repeated key", "stages:\n  a:\n    cmd: echo\n    cmd: b\n", ["3,5", "4,5"]],
    ["a tab as indentation", "stages:\n\ta: 1\n", ["2,1"]],
  ])("with %s is dvc's YAMLSyntaxError, placed at one of dvc's marks", (_what, text, marks) => {
    const error = failure(() => parseLock("dvc.lock", text));
    expect(dvcFileErrorType(error)).toBe("YAMLSyntaxError");
    const place = /^dvc\.lock:(\d+): invalid YAML: .*, in line (\d+), column (\d+)$/.exec(error.message);
    expect(place?.[1]).toBe(place?.[2]);
    expect(marks).toContain(`${place?.[2]},${place?.[3]}`);
  });

  // Regression: the parser's "Map keys must be unique" did not say which key; dvc's message does.
  it("names the repeated key, as dvc does", () => {
    const error = failure(() => parseLock("dvc.lock", "stages:\n  a:\n    cmd: echo\n    cmd: b\n"));
    expect(error.message).toContain('found duplicate key "cmd"');
  });

  it("in a .dvc file is dvc's YAMLSyntaxError too", async () => {
    writeFileSync(join(root, "x.dvc"), "outs:\n- md5: [\n");
    const error = await readDvcFile(join(root, "x.dvc"), root).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(dvcFileErrorType(error)).toBe("YAMLSyntaxError");
    expect((error as Error).message).toMatch(/x\.dvc:3: invalid YAML: .*, in line 3, column 1$/);
  });
});

describe("a dvc file whose YAML breaks its schema", () => {
  it("is dvc's YAMLValidationError, placed at the key's line and column", () => {
    const error = failure(() =>
      parseLock("dvc.lock", "schema: '2.0'\nstages:\n  a:\n    cmd: x\n    foo: 1\n"),
    );
    expect(dvcFileErrorType(error)).toBe("YAMLValidationError");
    expect(error.message).toBe("dvc.lock:5: stage 'a': extra key 'foo' not allowed, line 5, column 5");
  });

  // Regression: the parse cache kept lines only, so a file read a second time lost its columns.
  it("gives the same place when the file's parse comes from the cache", () => {
    const path = join(root, "dvc.lock");
    const text = "schema: '2.0'\nstages:\n  a:\n    cmd: x\n    outs: 5\n";
    const first = failure(() => parseLock(path, text)).message;
    expect(readdirSync(join(root, ".dvc", "tmp", "flowops-yaml"))).toHaveLength(1);
    expect(failure(() => parseLock(path, text)).message).toBe(first);
    expect(first).toMatch(/, line 5, column 5$/);
  });

  it("reads an entry the cache wrote without columns as a miss", () => {
    const path = join(root, "dvc.lock");
    const text = "schema: '2.0'\nstages:\n  a:\n    cmd: x\n    outs: 5\n";
    parseLock(join(root, "dvc.lock"), "schema: '2.0'\n");
    const [name] = readdirSync(join(root, ".dvc", "tmp", "flowops-yaml"));
    const entryFile = join(root, ".dvc", "tmp", "flowops-yaml", name!);
    const entry = JSON.parse(readFileSync(entryFile, "utf8")) as Record<string, unknown>;
    writeFileSync(
      entryFile,
      JSON.stringify({
        ...entry,
        text,
        value: { schema: "2.0", stages: { a: { cmd: "x", outs: 5 } } },
        lines: {},
        columns: undefined,
      }),
    );
    expect(failure(() => parseLock(path, text)).message).toMatch(/dvc\.lock:5: .*, line 5, column 5$/);
  });
});

describe("files that are not dvc files", () => {
  // dvc reads params with its plain YAML reader, whose error is YAMLFileCorruptedError, not YAMLSyntaxError.
  it("leaves a params file's syntax error unmarked and worded as before", () => {
    const error = failure(() => parseParamsText("params.yaml", "lr: [\n"));
    expect(dvcFileErrorType(error)).toBeUndefined();
    expect(error.message).not.toContain("column");
  });

  it("finds the class of an error that wraps a dvc file's error", () => {
    const inner = failure(() => parseLock("dvc.lock", "stages: [\n"));
    const outer = new FlowOpsError(inner.code, inner.message.replace("dvc.lock", "HEAD:dvc.lock"), {
      cause: inner,
    });
    expect(dvcFileErrorType(outer)).toBe("YAMLSyntaxError");
    expect(dvcFileErrorType(new FlowOpsError("INVALID_PARAMETER_VALUE", "x"))).toBeUndefined();
  });
});
