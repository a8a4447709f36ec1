import { mkdtempSync, mkdirSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { statToken } from "./hashState.js";
import { isDirectoryStat, isRegularFile, statFileSource, statFileSync } from "./fileStat.js";

const dir = mkdtempSync(join(tmpdir(), "flowops-filestat-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("statFileSync", () => {
  it("agrees with fs.statSync on every field the state token and a walk read", () => {
    const file = join(dir, "a.bin");
    writeFileSync(file, Buffer.alloc(12345, 7));
    // A fractional mtime: the token must carry the same float either way.
    utimesSync(file, 1_700_000_000.123456, 1_700_000_000.987654);
    const exec = join(dir, "run.sh");
    writeFileSync(exec, "#!/bin/sh\n", { mode: 0o755 });
    const sub = join(dir, "sub");
    mkdirSync(sub);
    const link = join(dir, "link");
    symlinkSync(file, link);
    for (const path of [file, exec, sub, link, file, exec]) {
      const fast = statFileSync(path);
      const slow = statSync(path);
      expect(statToken(fast)).toBe(statToken(slow));
      expect(fast.mode).toBe(slow.mode);
      expect(isRegularFile(fast)).toBe(slow.isFile());
      expect(isDirectoryStat(fast)).toBe(slow.isDirectory());
    }
    expect(statFileSync(link).size).toBe(12345);
  });

  it("takes the binding on Node 20 once its self-check passed", () => {
    statFileSync(dir);
    expect(statFileSource()).not.toBe("unchecked");
    if (process.versions.node.startsWith("20.")) expect(statFileSource()).toBe("binding");
  });

  it("throws fs's ENOENT for a missing path and a dangling symlink", () => {
    expect(() => statFileSync(join(dir, "missing"))).toThrow(expect.objectContaining({ code: "ENOENT" }));
    const dangling = join(dir, "dangling");
    symlinkSync(join(dir, "nowhere"), dangling);
    expect(() => statFileSync(dangling)).toThrow(expect.objectContaining({ code: "ENOENT" }));
  });
});
