// `repro -i` and an unfrozen import, as dvc 3.67.1 asks (checked with `dvc import-url` of a local file,
// `dvc unfreeze`, the source changed, `dvc repro -i` on a terminal): "Going to reproduce stage: 'f.txt.dvc'";
// no fails it with "reproduction aborted by the user" and leaves the out as it was; yes re-imports it. A
// frozen import's changed source is no change: nothing is asked about it.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import type { DataRepo } from "../data/dataRepo.js";
import { importUrl } from "../data/importUrl.js";
import { dir, outcomes, read, run, setUp, useReproWorkspace } from "./reproFixtures.js";

useReproWorkspace();

let repo: DataRepo;
let outside: string;
let asked: string[];

beforeEach(async () => {
  repo = await setUp({
    "dvc.yaml": "stages:\n  use:\n    cmd: cat f.txt > g.txt\n    deps: [f.txt]\n    outs: [g.txt]\n",
  });
  outside = await mkdtemp(join(tmpdir(), "flowops-import-confirm-"));
  await writeFile(join(outside, "src.txt"), "v1\n");
  await importUrl(repo, join(outside, "src.txt"), "f.txt", { cwd: dir });
  asked = [];
});

afterEach(async () => {
  await rm(outside, { recursive: true, force: true });
});

const answering =
  (answer: boolean) =>
  async ({ name }: { name: string }) => {
    asked.push(name.startsWith(dir) ? name.slice(dir.length + 1) : name);
    return answer;
  };

async function unfreeze(): Promise<void> {
  const file = join(dir, "f.txt.dvc");
  await writeFile(file, (await readFile(file, "utf8")).replace("frozen: true\n", ""));
}

it("asks about an unfrozen import whose source changed; no fails it and leaves its out", async () => {
  await unfreeze();
  await writeFile(join(outside, "src.txt"), "v2\n");

  const declined = await run({ confirm: answering(false) });

  expect(asked).toEqual(["f.txt.dvc"]);
  expect(declined.dataSources[0]).toMatchObject({
    outcome: "failed",
    message: "failed to reproduce 'f.txt.dvc': reproduction aborted by the user",
  });
  expect(outcomes(declined)).toEqual({ use: "not-run-upstream-failed" });
  expect(await read("f.txt")).toBe("v1\n");

  asked = [];
  const accepted = await run({ confirm: answering(true) });
  expect(asked).toEqual(["f.txt.dvc", "use"]);
  expect(accepted.dataSources[0]).toMatchObject({ outcome: "imported" });
  expect(await read("f.txt")).toBe("v2\n");
});

it("asks nothing about an unchanged unfrozen import, nor about a frozen one whose source changed", async () => {
  await unfreeze();
  await run();
  expect((await run({ confirm: answering(false) })).dataSources[0]).toMatchObject({ outcome: "skipped" });
  expect(asked).toEqual([]);

  await writeFile(
    join(dir, "f.txt.dvc"),
    (await readFile(join(dir, "f.txt.dvc"), "utf8")) + "frozen: true\n",
  );
  await writeFile(join(outside, "src.txt"), "v2\n");
  expect((await run({ confirm: answering(false) })).dataSources[0]).toMatchObject({ outcome: "skipped" });
  expect(asked).toEqual([]);
});
