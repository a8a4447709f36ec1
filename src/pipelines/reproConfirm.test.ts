import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { addTargets } from "../data/addTargets.js";
import type { DataRepo } from "../data/dataRepo.js";
import { dir, outcomes, run, setUp, useReproWorkspace } from "./reproFixtures.js";
import type { ReproPull } from "./reproPull.js";

// `repro -i` as dvc 3.67.1's `Stage.reproduce` asks, checked with `dvc repro -i` on a terminal:
//   a changed `.dvc` file         -> "Going to reproduce stage: 'raw.txt.dvc'. ..."; no fails it
//   --dry                         -> still asked, before the dry run
//   --pull, outs pulled           -> "Pulling data for stage: 'prep'", nothing asked
//   --pull, outs not pulled       -> "Unable to pull data for stage: 'prep'", then asked

useReproWorkspace();

const PIPELINE = `stages:
  prep:
    cmd: cat raw.txt > prep.txt
    deps: [raw.txt]
    outs: [prep.txt]
`;

let repo: DataRepo;

beforeEach(async () => {
  repo = await setUp({ "raw.txt": "one\n", "dvc.yaml": PIPELINE });
  await addTargets(repo, ["raw.txt"], { cwd: dir });
});

/** A confirm that records what it was asked about (data sources by their path from the workspace). */
function asking(answer: (name: string) => boolean): {
  asked: string[];
  confirm: (item: { name: string }) => Promise<boolean>;
} {
  const asked: string[] = [];
  return {
    asked,
    confirm: async ({ name }) => {
      const shown = name.startsWith(dir) ? name.slice(dir.length + 1) : name;
      asked.push(shown);
      return answer(shown);
    },
  };
}

describe("repro with confirm", () => {
  it("asks about a changed data source too, and a no fails it and what reads it", async () => {
    expect(outcomes(await run())).toEqual({ prep: "ran" });
    await writeFile(join(dir, "raw.txt"), "two\n");
    const { asked, confirm } = asking(() => false);
    const result = await run({ confirm, keepGoing: true });
    expect(asked).toEqual(["raw.txt.dvc"]);
    expect(result.dataSources[0]).toMatchObject({
      outcome: "failed",
      message: "failed to reproduce 'raw.txt.dvc': reproduction aborted by the user",
    });
    expect(outcomes(result)).toEqual({ prep: "not-run-upstream-failed" });
  });

  it("asks under --dry, before the dry run", async () => {
    const { asked, confirm } = asking((name) => name !== "prep");
    const result = await run({ confirm, dry: true });
    expect(asked).toEqual(["prep"]);
    expect(result.stages[0]).toMatchObject({
      outcome: "failed",
      message: "stage 'prep': reproduction aborted by the user",
    });
  });

  it("with --pull, asks nothing of a stage whose outs were pulled, and once of one that then runs", async () => {
    const { asked, confirm } = asking(() => true);
    const pulled: ReproPull = {
      beforeRun: async () => "checked-out",
      beforeDataSource: async () => undefined,
    };
    expect(outcomes(await run({ confirm, pull: pulled }))).toEqual({ prep: "skipped" });
    expect(asked).toEqual([]);
    const order: string[] = [];
    const notPulled: ReproPull = {
      beforeRun: async (stage, _changes, _lock, _frozen, confirmed) => {
        order.push(`pull ${stage.name}`);
        if (confirmed !== undefined && !(await confirmed())) return "aborted";
        order.push(`deps ${stage.name}`);
        return undefined;
      },
      beforeDataSource: async () => undefined,
    };
    const counted = asking(() => true);
    const result = await run({
      confirm: async (item) => (order.push(`ask ${item.name}`), counted.confirm(item)),
      pull: notPulled,
    });
    expect(outcomes(result)).toEqual({ prep: "ran" });
    expect(order).toEqual(["pull prep", "ask prep", "deps prep"]);
  });
});
