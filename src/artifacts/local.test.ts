import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failingBody, readText } from "../../test/support/artifactStoreContract.js";
import { LocalArtifactStore } from "./local.js";
import { supportsLocalPaths } from "./store.js";

describe("LocalArtifactStore", () => {
  let dir: string;
  let root: string;
  let outside: string;
  let store: LocalArtifactStore;
  const body = (text: string) => Readable.from([Buffer.from(text)]);
  const invalid = { code: "INVALID_PARAMETER_VALUE" };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "flowops-local-"));
    root = join(dir, "root");
    outside = join(dir, "outside");
    mkdirSync(root);
    mkdirSync(outside);
    writeFileSync(join(outside, "secret.txt"), "secret");
    store = new LocalArtifactStore(root);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes files at <root>/<path>", async () => {
    await store.write("1/abc/artifacts/model/MLmodel", body("flavors: {}"));
    expect(readFileSync(join(root, "1/abc/artifacts/model/MLmodel"), "utf8")).toBe("flavors: {}");
    expect(store.rootUri).toBe(`file://${root}`);
  });

  it("refuses to read, list, write or delete through a symlink that points outside the root", async () => {
    symlinkSync(outside, join(root, "escape"));
    symlinkSync(join(outside, "secret.txt"), join(root, "secret-link.txt"));
    await expect(store.read("escape/secret.txt")).rejects.toMatchObject(invalid);
    await expect(store.read("secret-link.txt")).rejects.toMatchObject(invalid);
    await expect(store.list("escape")).rejects.toMatchObject(invalid);
    await expect(store.write("escape/new.txt", body("x"))).rejects.toMatchObject(invalid);
    await expect(store.delete("escape")).rejects.toMatchObject(invalid);
    await expect(store.delete("escape/secret.txt")).rejects.toMatchObject(invalid);
    expect(readdirSync(outside)).toEqual(["secret.txt"]);
  });

  it("leaves escaping and dangling symlinks out of listings", async () => {
    writeFileSync(join(root, "real.txt"), "r");
    symlinkSync(outside, join(root, "escape"));
    symlinkSync(join(dir, "nowhere"), join(root, "dangling"));
    expect(await store.list("")).toEqual([{ path: "real.txt", is_dir: false, file_size: 1 }]);
  });

  it("refuses a dangling symlink whose target cannot be checked", async () => {
    symlinkSync(join(outside, "not-yet"), join(root, "later.txt"));
    await expect(store.write("later.txt/x", body("x"))).rejects.toMatchObject(invalid);
    await expect(store.read("later.txt")).rejects.toMatchObject(invalid);
  });

  it("follows a symlink that stays inside the root", async () => {
    mkdirSync(join(root, "data"));
    writeFileSync(join(root, "data", "a.txt"), "inside");
    symlinkSync(join(root, "data"), join(root, "alias"));
    expect(await readText(store, "alias/a.txt")).toBe("inside");
    expect(await store.list("")).toEqual([
      { path: "alias", is_dir: true },
      { path: "data", is_dir: true },
    ]);
  });

  it("deletes a symlink inside the root without touching its target", async () => {
    mkdirSync(join(root, "data"));
    writeFileSync(join(root, "data", "a.txt"), "inside");
    symlinkSync(join(root, "data"), join(root, "alias"));
    await store.delete("alias");
    expect(readdirSync(root)).toEqual(["data"]);
    expect(readdirSync(join(root, "data"))).toEqual(["a.txt"]);
  });

  it("removes the temp file of a failed write", async () => {
    await expect(store.write("d/f.bin", failingBody(4096))).rejects.toThrow("client went away");
    expect(readdirSync(join(root, "d"))).toEqual([]);
  });

  it("refuses a write whose path runs through an existing file", async () => {
    await store.write("a.txt", body("a"));
    await expect(store.write("a.txt/b.txt", body("b"))).rejects.toMatchObject(invalid);
    await expect(store.write("", body("b"))).rejects.toMatchObject(invalid);
  });

  it("empties the root, but keeps it, when deleting the empty path", async () => {
    await store.write("x/y.txt", body("y"));
    await store.write("z.txt", body("z"));
    await store.delete("");
    expect(readdirSync(root)).toEqual([]);
  });

  it("refuses a name longer than the file system allows as a bad path, not an internal error", async () => {
    const long = "x".repeat(300);
    await expect(store.write(`d/${long}`, body("x"))).rejects.toMatchObject(invalid);
    await expect(store.read(long)).rejects.toMatchObject(invalid);
    await expect(store.list(`${long}/sub`)).rejects.toMatchObject({
      code: "INVALID_PARAMETER_VALUE",
      message: expect.stringContaining("longer than the file system allows") as unknown,
    });
  });

  it("offers the checked local path of a file", async () => {
    await store.write("m/model.onnx", body("onnx"));
    expect(supportsLocalPaths(store)).toBe(true);
    expect(readFileSync(await store.localPath("m/model.onnx"), "utf8")).toBe("onnx");
  });
});
