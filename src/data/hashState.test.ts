import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HashState, STATE_FILE_NAME } from "./hashState.js";

describe("HashState", () => {
  let dir: string;
  let stateDir: string;
  const fileStat = (path: string) => statSync(path);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "flowops-state-"));
    stateDir = join(dir, ".dvc", "tmp");
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("creates its database on demand and answers buffered records before a flush", () => {
    const file = join(dir, "a");
    writeFileSync(file, "a");
    const state = HashState.open(stateDir);
    state.record(file, fileStat(file), "0cc175b9c0f1b6a831c399e269772661");
    expect(state.lookup(file, fileStat(file))).toBe("0cc175b9c0f1b6a831c399e269772661");
    state.close();
    expect(statSync(join(stateDir, STATE_FILE_NAME)).isFile()).toBe(true);
  });

  it("keeps records across reopening once flushed", () => {
    const file = join(dir, "a");
    writeFileSync(file, "a");
    const state = HashState.open(stateDir);
    state.record(file, fileStat(file), "md5-of-a");
    state.flush();
    state.close();
    const reopened = HashState.open(stateDir);
    expect(reopened.lookup(file, fileStat(file))).toBe("md5-of-a");
    reopened.close();
  });

  it("misses when the size or mtime changed", () => {
    const file = join(dir, "a");
    writeFileSync(file, "a");
    const state = HashState.open(stateDir);
    state.record(file, fileStat(file), "md5-of-a");
    writeFileSync(file, "ab");
    expect(state.lookup(file, fileStat(file))).toBeUndefined();
    state.close();
  });

  it("misses when the file was replaced by another inode", () => {
    const file = join(dir, "a");
    writeFileSync(file, "a");
    const state = HashState.open(stateDir);
    const before = fileStat(file);
    state.record(file, before, "md5-of-a");
    writeFileSync(join(dir, "b"), "a");
    rmSync(file);
    writeFileSync(file, "a");
    const after = fileStat(file);
    const changedIdentity = after.ino !== before.ino || after.mtimeMs !== before.mtimeMs;
    expect(changedIdentity).toBe(true);
    expect(state.lookup(file, after)).toBeUndefined();
    state.close();
  });

  it("serves preloaded directories from memory, including records made after the preload", () => {
    const sub = join(dir, "data");
    const files = ["x", "y", "z"].map((name) => join(dir, `${name}`));
    for (const file of files) writeFileSync(file, file);
    const state = HashState.open(stateDir);
    state.record(join(sub, "ignored-prefix"), fileStat(files[0]!), "m0");
    state.record(files[1]!, fileStat(files[1]!), "m1");
    state.flush();
    state.preload(dir);
    expect(state.lookup(files[1]!, fileStat(files[1]!))).toBe("m1");
    expect(state.lookup(files[2]!, fileStat(files[2]!))).toBeUndefined();
    state.record(files[2]!, fileStat(files[2]!), "m2");
    state.flush();
    expect(state.lookup(files[2]!, fileStat(files[2]!))).toBe("m2");
    state.close();
  });

  it("does not mistake a sibling directory sharing a name prefix for the preloaded one", () => {
    const file = join(dir, "data2", "f");
    rmSync(join(dir, "data2"), { recursive: true, force: true });
    writeFileSync(join(dir, "f"), "f");
    const st = fileStat(join(dir, "f"));
    const state = HashState.open(stateDir);
    state.record(file, st, "m");
    state.flush();
    state.preload(join(dir, "data"));
    expect(state.lookup(file, st)).toBe("m");
    state.close();
  });

  it("starts over when the database file is not a database", () => {
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(join(stateDir, STATE_FILE_NAME), "this is not sqlite ".repeat(100));
    const file = join(dir, "a");
    writeFileSync(file, "a");
    const state = HashState.open(stateDir);
    state.record(file, fileStat(file), "m");
    state.flush();
    expect(state.lookup(file, fileStat(file))).toBe("m");
    state.close();
  });
});
