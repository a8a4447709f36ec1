import { createHash } from "node:crypto";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { linkFromCache, parseLinkTypes } from "./linkTypes.js";

describe("parseLinkTypes", () => {
  it("defaults to copy", () => {
    expect(parseLinkTypes()).toEqual(["copy"]);
    expect(parseLinkTypes("  ")).toEqual(["copy"]);
  });

  it("reads DVC's comma-separated cache.type in order", () => {
    expect(parseLinkTypes("reflink, hardlink,symlink,copy")).toEqual([
      "reflink",
      "hardlink",
      "symlink",
      "copy",
    ]);
  });

  it("names an unknown link type and lists the known ones", () => {
    expect(() => parseLinkTypes("reflink,softlink")).toThrow(/softlink.*reflink, hardlink, symlink, copy/);
  });
});

describe("linkFromCache", () => {
  let dir: string;
  let object: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "flowops-link-"));
    const content = "cached content";
    object = join(dir, "cache", createHash("md5").update(content).digest("hex"));
    mkdirSync(join(dir, "cache"));
    mkdirSync(join(dir, "ws"));
    writeFileSync(object, content);
    chmodSync(object, 0o444);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("hard-links: the workspace file shares the object's inode", async () => {
    const dest = join(dir, "ws", "file");
    expect(await linkFromCache(object, dest, ["hardlink"])).toBe("hardlink");
    expect(statSync(dest).ino).toBe(statSync(object).ino);
  });

  it("hard-links over a link to the same object without leaving its temp name behind", async () => {
    const dest = join(dir, "ws", "file");
    await linkFromCache(object, dest, ["hardlink"]);
    await linkFromCache(object, dest, ["hardlink"]);
    expect(readdirSync(join(dir, "ws"))).toEqual(["file"]);
    expect(statSync(object).nlink).toBe(2);
  });

  it("symlinks: the workspace file points into the cache", async () => {
    const dest = join(dir, "ws", "file");
    expect(await linkFromCache(object, dest, ["symlink"])).toBe("symlink");
    expect(lstatSync(dest).isSymbolicLink()).toBe(true);
    expect(readlinkSync(dest)).toBe(object);
  });

  it("copies: an independent, writable file, so editing it leaves the cache intact", async () => {
    const dest = join(dir, "ws", "file");
    expect(await linkFromCache(object, dest, ["copy"])).toBe("copy");
    expect(statSync(dest).ino).not.toBe(statSync(object).ino);
    expect(statSync(dest).mode & 0o200).toBe(0o200);
    writeFileSync(dest, "edited");
    expect(readFileSync(object, "utf8")).toBe("cached content");
  });

  it("reflinks where the filesystem can, and otherwise falls back to the next type", async () => {
    const dest = join(dir, "ws", "file");
    const used = await linkFromCache(object, dest, ["reflink", "copy"]);
    expect(["reflink", "copy"]).toContain(used);
    expect(readFileSync(dest, "utf8")).toBe("cached content");
    expect(statSync(dest).ino).not.toBe(statSync(object).ino);
  });

  it("fails naming both paths when no listed type works, leaving no temp file", async () => {
    await expect(
      linkFromCache(join(dir, "cache", "missing"), join(dir, "ws", "f"), ["hardlink", "copy"]),
    ).rejects.toMatchObject({
      code: "INVALID_STATE",
      message: expect.stringContaining(join(dir, "ws", "f")),
    });
    expect(readdirSync(join(dir, "ws"))).toEqual([]);
  });

  it("replaces an existing file atomically and sets the executable bit on copies", async () => {
    const dest = join(dir, "ws", "nested", "tool");
    mkdirSync(join(dir, "ws", "nested"));
    writeFileSync(dest, "old");
    await linkFromCache(object, dest, ["copy"], { isexec: true });
    expect(readFileSync(dest, "utf8")).toBe("cached content");
    expect(statSync(dest).mode & 0o111).toBe(0o111);
    expect(readdirSync(join(dir, "ws", "nested"))).toEqual(["tool"]);
  });
});
