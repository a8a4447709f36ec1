import { mkdir, mkdtemp, opendir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { dataCommand } from "./data.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-status-order-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function data(args: string[]): Promise<string> {
  const stdout: string[] = [];
  const out = vi.spyOn(process.stdout, "write").mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
  const previous = process.cwd();
  process.chdir(dir);
  try {
    const command = dataCommand();
    command.exitOverride();
    await command.parseAsync(args, { from: "user" });
    return stdout.join("");
  } finally {
    process.chdir(previous);
    process.exitCode = undefined;
    out.mockRestore();
  }
}

describe("flowops data status order", () => {
  it("lists stages and .dvc files in the order dvc's walk collects them (the directory's listing)", async () => {
    await mkdir(join(dir, ".git"));
    await data(["init"]);
    const files = Array.from({ length: 8 }, (_, i) => `f${i}.txt`);
    for (const file of files) await writeFile(join(dir, file), "one\n");
    await data(["add", ...files]);
    for (const file of files) await writeFile(join(dir, file), "two\n");
    await writeFile(
      join(dir, "dvc.yaml"),
      "stages:\n  s:\n    cmd: cp f0.txt o.txt\n    deps:\n    - f0.txt\n    outs:\n    - o.txt\n",
    );
    const listed: string[] = [];
    for await (const entry of await opendir(dir)) listed.push(entry.name);
    const expected = listed
      .filter((name) => (name.endsWith(".dvc") && name !== ".dvc") || name === "dvc.yaml")
      .map((name) => (name === "dvc.yaml" ? "s:" : `${name}:`));
    const text = await data(["status"]);
    expect(text.split("\n").filter((line) => /^\S.*:$/.test(line))).toEqual(expected);
    expect(Object.keys(JSON.parse(await data(["status", "--json"])) as object)).toEqual(
      expected.map((key) => key.slice(0, -1)),
    );
  });
});
