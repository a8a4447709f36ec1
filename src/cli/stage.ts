/** `flowops stage add` (dvc's `stage add`); the work is pipelines/addStage.ts. */
import { Command, Option } from "commander";
import { withDataRepo } from "../data/dataRepo.js";
import { printJson } from "./output.js";
import { reportFilesToTrack } from "./gitReminder.js";

interface StageAddOptions {
  name: string;
  force?: boolean;
  deps: string[];
  params: string[];
  outs: string[];
  outsNoCache: string[];
  outsPersist: string[];
  outsPersistNoCache: string[];
  metrics: string[];
  metricsNoCache: string[];
  plots: string[];
  plotsNoCache: string[];
  wdir?: string;
  alwaysChanged?: boolean;
  desc?: string;
  run?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** dvc's `parse_cmd`: one argument as it is; several joined, those with a space (and no `"`) in double quotes. */
export function joinCommand(words: readonly string[]): string {
  if (words.length < 2) return words.join(" ");
  return words
    .map((word) => (word === "" ? '""' : word.includes(" ") && !word.includes('"') ? `"${word}"` : word))
    .join(" ");
}

export function stageCommand(): Command {
  const stage = new Command("stage")
    .description("Create pipeline stages in dvc.yaml (as dvc stage).")
    .enablePositionalOptions();
  stage.addCommand(
    new Command("add")
      .description("Add a stage to the dvc.yaml of the current directory without running it.")
      .requiredOption("-n, --name <name>", "the stage's name")
      .option("-f, --force", "overwrite the stage of that name")
      .option("-d, --deps <path>", "a dependency (repeatable)", collect, [])
      .option("-p, --params <[file:]keys>", "params keys, comma-separated (repeatable)", collect, [])
      .option("-o, --outs <path>", "an output, cached (repeatable)", collect, [])
      .option("-O, --outs-no-cache <path>", "an output Git versions instead of the cache", collect, [])
      .option("--outs-persist <path>", "an output repro does not delete before running", collect, [])
      .option("--outs-persist-no-cache <path>", "a persistent output outside the cache", collect, [])
      .option("-m, --metrics <path>", "a metrics file (repeatable)", collect, [])
      .option("-M, --metrics-no-cache <path>", "a metrics file outside the cache", collect, [])
      .option("--plots <path>", "a plots file (repeatable)", collect, [])
      .option("--plots-no-cache <path>", "a plots file outside the cache", collect, [])
      .option("-w, --wdir <dir>", "the directory to run the command in")
      .option("--always-changed", "run the stage on every repro")
      .option("--desc <text>", "a description")
      .option("--run", "then run it (or restore it from the run-cache), as `repro <name> --single-item`")
      .option("--json", "print the stage added as JSON")
      .argument("<command...>", "the command to run (what follows it is its own arguments)")
      .passThroughOptions()
      .action(async (words: string[], opts: StageAddOptions) => {
        const cwd = process.cwd();
        const result = await withDataRepo(cwd, async (repo) => {
          const added = await (
            await import("../pipelines/addStage.js")
          ).addStage(
            repo,
            {
              name: opts.name,
              cmd: joinCommand(words),
              deps: opts.deps,
              params: opts.params,
              outs: opts.outs,
              outsNoCache: opts.outsNoCache,
              outsPersist: opts.outsPersist,
              outsPersistNoCache: opts.outsPersistNoCache,
              metrics: opts.metrics,
              metricsNoCache: opts.metricsNoCache,
              plots: opts.plots,
              plotsNoCache: opts.plotsNoCache,
              ...(opts.wdir !== undefined ? { wdir: opts.wdir } : {}),
              ...(opts.alwaysChanged === true ? { alwaysChanged: true } : {}),
              ...(opts.desc !== undefined ? { desc: opts.desc } : {}),
            },
            { cwd, ...(opts.force === true ? { force: true } : {}) },
          );
          if (added.warning !== undefined) process.stderr.write(`${added.warning}\n`);
          if (opts.json !== true) {
            process.stdout.write(`${added.message}\n`);
            await reportFilesToTrack(repo, added.toTrack, cwd);
          }
          return added;
        });
        if (opts.json === true) printJson(result);
        if (opts.run === true) {
          const { reproCommand } = await import("./repro.js");
          await reproCommand().parseAsync([opts.name, "--single-item"], { from: "user" });
          // As dvc's scm_context: a failed run takes back the .gitignore entries the stage added.
          if (process.exitCode !== undefined && process.exitCode !== 0) {
            const { removeGitignored } = await import("../data/gitignoreEntries.js");
            for (const abs of result.ignored) await removeGitignored({ scm: true }, abs);
          }
        }
      }),
  );
  stage.addCommand(
    new Command("list")
      .description("List stages with a one-line description (the cwd's dvc.yaml, or targets).")
      .argument("[targets...]", "stages, dvc.yaml files or, with -R, directories (default: dvc.yaml)")
      .option("--all", "every stage of the repository, .dvc files included")
      .option("-R, --recursive", "a directory target means the stages defined below it")
      .option(
        "--fail",
        "fail on a stage file that cannot be read (always so here: dvc skips such files without --fail)",
      )
      .option("--name-only", "names only")
      .addOption(new Option("--names-only").hideHelp())
      .option("--json", "print the listing as JSON")
      .action(
        async (
          targets: string[],
          opts: {
            all?: boolean;
            recursive?: boolean;
            nameOnly?: boolean;
            namesOnly?: boolean;
            json?: boolean;
          },
        ) => {
          const cwd = process.cwd();
          const { listStages, formatStageList } = await import("../pipelines/stageList.js");
          const listings = await withDataRepo(cwd, (repo) =>
            listStages(repo, {
              cwd,
              targets,
              ...(opts.all === true ? { all: true } : {}),
              ...(opts.recursive === true ? { recursive: true } : {}),
            }),
          );
          const shown =
            opts.nameOnly === true || opts.namesOnly === true
              ? listings.map((l) => ({ ...l, description: "" }))
              : listings;
          if (opts.json === true) printJson(shown);
          else process.stdout.write(formatStageList(shown));
        },
      ),
  );
  return stage;
}
