/**
 * `flowops dag`, `flowops params diff` and `flowops metrics show|diff`: read-only views of a DVC pipeline.
 * Tables follow `dvc`'s columns; `--json` prints the JSON `dvc` prints (Python number formatting included).
 */
import { existsSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { Command, Option } from "commander";
import { loadTrackedOuts } from "../data/dvcFile.js";
import { readDvcConfig } from "../data/dvcConfig.js";
import { loadDvcIgnore } from "../data/dvcIgnore.js";
import { checkTargetPipelineFiles, gitIgnoreOf } from "../pipelines/gitIgnoredPipelineFiles.js";
import { readPipelinesOrTrackedFiles } from "../pipelines/pipelineFiles.js";
import { buildDag } from "../pipelines/pipelineDag.js";
import { readStageLocks } from "../pipelines/dvcLock.js";
import { renderDag, type DagFormat } from "../pipelines/renderDag.js";
import { dagGraph } from "../pipelines/dagGraph.js";
import { paramsDiff } from "../pipelines/paramsDiff.js";
import { flatMetrics, metricsDiff, metricsShow, metricsShowAcross } from "../pipelines/metricsFiles.js";
import { erroredRevisions } from "../pipelines/metricsLoadFailures.js";
import { wantsRevisions } from "../pipelines/revisionSets.js";
import {
  isFloat,
  numericValue,
  pyFloat,
  pyJsonDumps,
  pyRepr,
  pyStr,
  type PyValue,
} from "../pipelines/pythonValues.js";
import type { ValueChange } from "../pipelines/valueDiff.js";
import { formatDvcTable, formatMarkdownTable } from "./output.js";
import { reportedPipelineLoadFailure } from "./pipelineLoadError.js";

/**
 * The repository root as dvc finds it: the nearest directory above `cwd` holding `.dvc/`, so a subdirectory
 * with its own dvc.yaml is still part of the whole repo's pipeline. Without `.dvc/` anywhere, the nearest
 * directory holding a dvc.yaml; else `cwd`.
 */
export function findPipelineRoot(cwd: string): string {
  const start = resolve(cwd);
  let nearestPipeline: string | undefined;
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, ".dvc"))) return dir;
    if (nearestPipeline === undefined && existsSync(join(dir, "dvc.yaml"))) nearestPipeline = dir;
    if (dirname(dir) === dir) return nearestPipeline ?? start;
  }
}

/**
 * findPipelineRoot's root, with the repository's config loaded when there is one: dvc loads it as it opens
 * the repository, before any view reads the pipeline, so a damaged config fails these views too (exit 251).
 */
export async function openPipelineRoot(cwd: string): Promise<string> {
  const root = findPipelineRoot(cwd);
  const dvcDir = join(root, ".dvc");
  if (existsSync(dvcDir)) await readDvcConfig(dvcDir);
  return root;
}

function warn(message: string): void {
  process.stderr.write(`WARNING: ${message}\n`);
}

/**
 * dvc's closing line for the revisions it could not fully load, after any warnings; it still exits 0.
 * `params diff` says "metrics" too, as dvc does.
 */
function reportFailedRevisions(what: "metrics", revisions: readonly string[]): void {
  if (revisions.length === 0) return;
  process.stderr.write(
    `DVC failed to load some ${what} for following revisions: '${revisions.join(", ")}'.\n`,
  );
}

/** A repo-relative POSIX path as dvc prints it: relative to the cwd. */
function cwdRelative(root: string, cwd: string, path: string): string {
  return relative(cwd, join(root, path)).split(sep).join("/");
}

function write(text: string): void {
  process.stdout.write(text.endsWith("\n") ? text : `${text}\n`);
}

/**
 * A table cell as dvc's `_format_field`: with a precision (metrics) floats are rounded and printed as floats
 * still (`0.0`, not `0`); without one (params) every value prints as Python's `str`, `1e-07` included.
 */
function cell(value: PyValue | undefined, precision?: number): string {
  if (value === undefined || value === null) return "-";
  const n = numericValue(value);
  if (precision !== undefined && n !== undefined && isFloat(value)) {
    // toFixed drops the sign of -0, which Python's round keeps (`-0.0`).
    const rounded = Object.is(n, -0) ? -0 : Number(n.toFixed(precision));
    return pyStr(pyFloat(rounded));
  }
  return typeof value === "string" ? value : pyRepr(value);
}

function changeRows(
  diff: Record<string, Record<string, ValueChange>>,
  withChange: boolean,
  precision?: number,
): string[][] {
  const rows: string[][] = [];
  for (const [path, changes] of Object.entries(diff)) {
    for (const key of Object.keys(changes).sort()) {
      const change = changes[key];
      if (change === undefined) continue;
      const row = [path, key, cell(change.old, precision), cell(change.new, precision)];
      if (withChange) row.push(change.diff === undefined ? "-" : cell(change.diff, precision));
      rows.push(row);
    }
  }
  return rows;
}

interface MetricsShowCliOptions {
  allBranches?: boolean;
  allTags?: boolean;
  allCommits?: boolean;
  json?: boolean;
  md?: boolean;
  precision: number;
}

interface DiffCliOptions {
  all?: boolean;
  targets?: string[];
  json?: boolean;
  md?: boolean;
  path: boolean;
}

/** A params or metrics diff as dvc prints it: paths relative to the cwd; --no-path drops them, --md. */
function printDiff(
  diff: Record<string, Record<string, ValueChange>>,
  header: string[],
  opts: DiffCliOptions,
  rowsOf: (diff: Record<string, Record<string, ValueChange>>) => string[][],
): void {
  const root = findPipelineRoot(process.cwd());
  const relative = Object.fromEntries(
    Object.entries(diff).map(([path, changes]) => [cwdRelative(root, process.cwd(), path), changes]),
  );
  if (opts.json) return write(pyJsonDumps(relative));
  if (Object.keys(relative).length === 0) return;
  const rows = rowsOf(relative).map((row) => (opts.path ? row : row.slice(1)));
  const columns = opts.path ? header : header.slice(1);
  write(opts.md ? formatMarkdownTable(columns, rows) : formatDvcTable(columns, rows));
}

function withDiffOptions(command: Command, what: "params" | "metrics"): Command {
  return command
    .argument("[a_rev]", "old revision", "HEAD")
    .argument("[b_rev]", "new revision (default: the workspace)")
    .option("--all", `include unchanged ${what}`)
    .option("--json", `print JSON as \`dvc ${what} diff --json\``)
    .option("--targets <paths...>", `only these ${what} files (whole), declared or not`)
    .option("--md", "print the table as Markdown")
    .option("--no-path", "leave out the file paths");
}

interface DagCliOptions {
  dot?: boolean;
  mermaid?: boolean;
  md?: boolean;
  json?: boolean;
  full?: boolean;
  outs?: boolean;
  collapseForeachMatrix?: boolean;
}

export function dagCommand(): Command {
  return new Command("dag")
    .description(
      "Show the pipeline's stages and their dependencies (ASCII, --dot, --mermaid, --md or --json).",
    )
    .argument("[targets...]", "stages (or outputs, dvc.yaml or .dvc files) to show with their upstream")
    .option("--dot", "Graphviz dot")
    .option("--mermaid", "Mermaid flowchart")
    .option("--md", "Mermaid flowchart in a Markdown block")
    .option("--json", "JSON: stages and edges")
    .option("--full", "the whole pipeline each target belongs to, not only its upstream")
    .option("-o, --outs", "draw the outputs instead of the stages")
    .option("--collapse-foreach-matrix", "one node per foreach/matrix group")
    .action(async (targets: string[], opts: DagCliOptions) => {
      const root = await openPipelineRoot(process.cwd());
      // Unlike metrics, params and plots, dvc's dag opens an initialized repository only (exit 253 outside one).
      if (!existsSync(join(root, ".dvc"))) {
        throw (await import("../data/dataRepo.js")).notADvcRepository(process.cwd());
      }
      const repo = { root, ignore: await loadDvcIgnore(root), gitIgnore: gitIgnoreOf({ root }) };
      // As dvc: the dvc.yaml a target names is loaded (and refused when Git ignores it) before the index, by
      // the same Git rules; with no dvc.yaml at all (a git-ignored one is none) the graph is empty.
      if (targets.length > 0) checkTargetPipelineFiles(repo, process.cwd(), targets);
      let pipeline;
      try {
        pipeline = await readPipelinesOrTrackedFiles(repo);
      } catch (error) {
        if (reportedPipelineLoadFailure(error, process.cwd())) return;
        throw error;
      }
      // dvc's index loads each stage's dvc.lock entry, so a damaged dvc.lock fails dag too (exit 255).
      await readStageLocks(pipeline.stages);
      // `.dvc` files are nodes of dvc's graph too, upstream of the stages that read their data.
      const tracked = await loadTrackedOuts(repo);
      const graph = dagGraph(buildDag(pipeline), {
        root,
        // Labels and targets are relative to the cwd, as dvc dag prints and reads them.
        cwd: process.cwd(),
        ...(opts.json ? { labelDir: root } : {}),
        tracked,
        targets,
        ...(opts.full ? { full: true } : {}),
        ...(opts.outs ? { outs: true } : {}),
        ...(opts.collapseForeachMatrix ? { collapseForeachMatrix: true } : {}),
      });
      const format: DagFormat = opts.json
        ? "json"
        : opts.dot
          ? "dot"
          : opts.mermaid
            ? "mermaid"
            : opts.md
              ? "md"
              : "ascii";
      process.stdout.write(renderDag(graph, format));
    });
}

export function paramsCommand(): Command {
  const command = new Command("params").description("Compare pipeline parameters between revisions.");
  command.addCommand(
    withDiffOptions(
      new Command("diff").description(
        "Show changed params between two Git revisions (default: HEAD and the workspace).",
      ),
      "params",
    )
      .option("--deps", "only the params that stages depend on")
      .action(async (a: string, b: string | undefined, opts: DiffCliOptions & { deps?: boolean }) => {
        let errored: string[] = [];
        const diff = await paramsDiff(await openPipelineRoot(process.cwd()), a, b, {
          all: opts.all === true,
          ...(opts.targets !== undefined ? { targets: opts.targets } : {}),
          ...(opts.deps === true ? { depsOnly: true } : {}),
          cwd: process.cwd(),
          onWarning: warn,
          onErroredRevisions: (revisions) => (errored = revisions),
        });
        reportFailedRevisions("metrics", errored);
        printDiff(diff, ["Path", "Param", a, b ?? "workspace"], opts, (d) => changeRows(d, false));
      }),
  );
  return command;
}

/** dvc 3 searches a directory target with or without its `-R` (checked against dvc 3.x); so do we. */
const RECURSIVE_HELP = "search directory targets for metrics files at any depth (always done; dvc's flag)";

export function metricsCommand(): Command {
  const command = new Command("metrics").description("Show and compare pipeline metrics files.");
  command.addCommand(
    new Command("show")
      .description("Show the metrics files of the pipeline (JSON, YAML or TOML), or the files given.")
      .argument("[targets...]", "metrics files (or directories of them) to show instead, any file")
      .option("-a, --all-branches", "also every branch")
      .option("-T, --all-tags", "also every tag")
      .option("-A, --all-commits", "also every commit")
      .option("-R, --recursive", RECURSIVE_HELP)
      .option("--json", "print JSON as `dvc metrics show --json`")
      .option("--md", "print the table as Markdown")
      .addOption(
        new Option("--precision <n>", "digits after the point for floats").default(5).argParser(Number),
      )
      .action(async (targets: string[], opts: MetricsShowCliOptions) => {
        const cwd = process.cwd();
        const root = await openPipelineRoot(cwd);
        const across = wantsRevisions(opts);
        const shown = across
          ? await metricsShowAcross(root, opts, { targets, cwd, onWarning: warn })
          : await metricsShow(root, undefined, { targets, cwd, onWarning: warn });
        // dvc's one closing line for the revisions with any error, a single file's included (it still exits 0).
        reportFailedRevisions("metrics", erroredRevisions(shown));
        // As dvc prints them: paths relative to the cwd.
        const byRevision = Object.fromEntries(
          Object.entries(shown).map(([rev, { data }]) => [
            rev,
            Object.fromEntries(Object.entries(data).map(([path, r]) => [cwdRelative(root, cwd, path), r])),
          ]),
        );
        if (opts.json) {
          const json = Object.fromEntries(
            Object.entries(byRevision).map(([rev, data]) => {
              const error = shown[rev]?.error;
              return [rev, error === undefined ? { data } : { error }];
            }),
          );
          return write(pyJsonDumps(json));
        }
        const flat = Object.entries(byRevision).flatMap(([rev, files]) =>
          Object.entries(files).map(
            ([path, r]) => [rev, path, "data" in r ? flatMetrics(r.data) : {}] as const,
          ),
        );
        // dvc sorts the metric columns by name.
        const keys = [...new Set(flat.flatMap(([, , values]) => Object.keys(values)))].sort();
        if (flat.length === 0) return;
        const header = [...(across ? ["Revision"] : []), "Path", ...keys];
        const rows = flat.map(([rev, path, values]) => [
          ...(across ? [rev] : []),
          path,
          ...keys.map((k) => cell(values[k], opts.precision)),
        ]);
        write(opts.md ? formatMarkdownTable(header, rows) : formatDvcTable(header, rows));
      }),
  );
  command.addCommand(
    withDiffOptions(
      new Command("diff").description(
        "Show changed metrics between two Git revisions (default: HEAD and the workspace).",
      ),
      "metrics",
    )
      .option("-R, --recursive", RECURSIVE_HELP)
      .addOption(
        new Option("--precision <n>", "digits after the point for floats").default(5).argParser(Number),
      )
      .action(async (a: string, b: string | undefined, opts: DiffCliOptions & { precision: number }) => {
        let errored: string[] = [];
        const diff = await metricsDiff(await openPipelineRoot(process.cwd()), a, b, {
          all: opts.all === true,
          ...(opts.targets !== undefined ? { targets: opts.targets } : {}),
          // Targets, and files named in warnings, are relative to the cwd.
          cwd: process.cwd(),
          onWarning: warn,
          onErroredRevisions: (revisions) => (errored = revisions),
        });
        reportFailedRevisions("metrics", errored);
        printDiff(diff, ["Path", "Metric", a, b ?? "workspace", "Change"], opts, (d) =>
          changeRows(d, true, opts.precision),
        );
      }),
  );
  return command;
}
