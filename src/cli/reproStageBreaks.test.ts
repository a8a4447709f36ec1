// dvc 3.67.1's blank line between stages (`_reproduce`'s `logger.info("")` when the stage before returned).
import { afterEach, expect, it, vi } from "vitest";
import type { DataSourceResult } from "../pipelines/dataSources.js";
import type { ReproEvent } from "../pipelines/repro.js";
import type { StageResult } from "../pipelines/reproResult.js";
import { reproPrinter, type ReproPrinterOptions } from "./reproProgress.js";

afterEach(() => vi.restoreAllMocks());

function printed(
  events: readonly ReproEvent[],
  opts: ReproPrinterOptions = {},
): { out: string; err: string } {
  let out = "";
  let err = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => ((out += String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => ((err += String(chunk)), true));
  const print = reproPrinter(opts, (name) => name);
  for (const event of events) print(event);
  vi.restoreAllMocks();
  return { out: out.replace(/Stage '\w+' ran in \d+\.\d s\.\n/g, ""), err };
}

const start = (stage: string): ReproEvent => ({
  type: "stage-start",
  stage,
  cmd: [`make ${stage}`],
  attempt: 1,
  changes: [],
});
const end = (name: string, outcome: StageResult["outcome"], more: Partial<StageResult> = {}): ReproEvent => ({
  type: "stage-end",
  result: { name, outcome, changes: [], attempts: 1, ...more },
});
const ran = (name: string): ReproEvent[] => [start(name), end(name, "ran")];

it("sets apart each stage that follows one that ran, and nothing after the last", () => {
  expect(printed([...ran("a"), ...ran("b"), end("c", "skipped"), end("d", "skipped")]).out).toBe(
    "Running stage 'a':\n> make a\n\nRunning stage 'b':\n> make b\n\n" +
      "Stage 'c' didn't change, skipping\nStage 'd' didn't change, skipping\n",
  );
});

it("sets apart what follows a restored stage or a dry run's, not what follows a pulled one", () => {
  const events = [
    end("a", "restored"),
    end("b", "skipped", { message: "pulled" }),
    end("c", "skipped", { wouldRun: true, cmd: ["make c"], cachedRun: true }),
    end("e", "skipped", { wouldRun: false, message: "frozen" }),
    end("d", "skipped"),
  ];
  // Under --dry: a run-cache hit is said before dvc's cmd_run echo; a changed frozen stage says nothing.
  expect(printed(events).out).toBe(
    "Stage 'a' is cached - skipping run, checking out outputs\n\n" +
      "Stage 'c' is cached - skipping run, checking out outputs\nRunning stage 'c':\n> make c\n\n" +
      "\nStage 'd' didn't change, skipping\n",
  );
});

it("keeps a failure from changing it, and never begins the stages a failure kept from running", () => {
  const failed = end("b", "failed", { message: "failed to reproduce 'b': exited with 3" });
  const events = [
    ...ran("a"),
    start("b"),
    failed,
    end("d", "not-run-upstream-failed", { message: "upstream stage 'b' failed" }),
    end("x", "failed", { message: "failed to reproduce 'x': gone" }),
    ...ran("c"),
  ];
  const { out, err } = printed(events, { ignoreErrors: true });
  expect(out).toBe(
    "Running stage 'a':\n> make a\n\nRunning stage 'b':\n> make b\n\n\nRunning stage 'c':\n> make c\n",
  );
  expect(err).toBe("WARNING: exited with 3 (ignored)\nWARNING: gone (ignored)\n");
});

it("counts the data sources as stages, and is silent with -q", () => {
  const source = (
    outcome: DataSourceResult["outcome"],
    more: Partial<DataSourceResult> = {},
  ): ReproEvent => ({
    type: "data-source",
    result: { dvcFile: `${process.cwd()}/d.dvc`, outcome, changes: [], ...more },
  });
  expect(printed([source("verified"), ...ran("a")]).out).toBe(
    "Verifying data sources in stage: 'd.dvc'\n\nRunning stage 'a':\n> make a\n",
  );
  expect(printed([source("skipped", { pulled: true }), ...ran("a")]).out).toBe(
    "Running stage 'a':\n> make a\n",
  );
  expect(printed([...ran("a"), ...ran("b")], { quiet: true }).out).toBe("");
});

it("writes them to stderr with the progress lines under --json", () => {
  const { out, err } = printed([...ran("a"), ...ran("b")], { json: true });
  expect(out).toBe("");
  expect(err.replace(/Stage '\w+' ran in \d+\.\d s\.\n/g, "")).toBe(
    "Running stage 'a':\n> make a\n\nRunning stage 'b':\n> make b\n",
  );
});

it("says a frozen stage's outputs are verified, records its lock line, and sets apart what follows", () => {
  const lockFile = { path: `${process.cwd()}/dvc.lock`, generated: false };
  const verified = end("b", "skipped", { message: "frozen", verifiedFrozen: true, lockFile });
  const missing = end("d", "failed", {
    verifiedFrozen: true,
    message: "stage 'd': missing data 'source': d.txt",
  });
  const { out, err } = printed([verified, ...ran("c"), missing], { keepGoing: true });
  expect(out).toBe(
    "Verifying outputs in frozen stage: 'b'\nUpdating lock file 'dvc.lock'\n\n" +
      "Running stage 'c':\n> make c\n\nVerifying outputs in frozen stage: 'd'\n",
  );
  expect(err).toBe("WARNING: missing data 'source': d.txt\n");
});
