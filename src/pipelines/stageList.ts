/**
 * `dvc stage list`: the stages that targets select (the cwd's dvc.yaml by default, `collect`'s rules as in
 * repro), or every stage and `.dvc` file with `all`, each with dvc's one-line description: the first line of
 * its `desc`, else what it outputs and reports ("Outputs model; Reports metrics.json"), cut at 80 characters.
 */
import { sep } from "node:path";
import type { DataRepo } from "../data/dataRepo.js";
import { loadTrackedOuts } from "../data/dvcFile.js";
import { cwdRelative } from "../data/dvcTarget.js";
import { cwdStageAddress, PIPELINE_FILE, type Stage } from "./dvcYaml.js";
import { readPipelinesIfAny } from "./pipelineFiles.js";
import { resolveReproTargets } from "./statusTargets.js";

export interface StageListing {
  /** As dvc addresses it from the cwd: `train`, `prep/dvc.yaml:clean`, `data.dvc`. */
  stage: string;
  description: string;
}

export interface StageListOptions {
  cwd: string;
  targets?: readonly string[];
  /** Every stage of every dvc.yaml, and every `.dvc` file (`--all`). */
  all?: boolean;
  /** A directory target lists the stages defined below it (`-R`). */
  recursive?: boolean;
}

const MAX_DESCRIPTION = 80;
/** Python's str.splitlines breaks, the file, group and record separators included. */
// eslint-disable-next-line no-control-regex
const PYTHON_LINE_BREAK = /\r\n|[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]/;

export async function listStages(repo: DataRepo, options: StageListOptions): Promise<StageListing[]> {
  const { cwd } = options;
  const pipeline = await readPipelinesIfAny(repo);
  if (options.all === true) {
    const tracked = await loadTrackedOuts(repo);
    const byFile = new Map<string, StageListing[]>();
    const add = (file: string, listing: StageListing): void => {
      byFile.set(file, [...(byFile.get(file) ?? []), listing]);
    };
    for (const stage of pipeline?.stages ?? []) add(stage.pipelineFile, stageListing(stage, cwd));
    for (const file of new Set(tracked.map((out) => out.dvcFile))) {
      const outs = tracked.filter((out) => out.dvcFile === file);
      add(file, {
        stage: cwdRelative(cwd, file),
        description: describe(
          outs[0]?.doc.raw.desc,
          [],
          outs.map((out) => out.out.path),
          [],
        ),
      });
    }
    return [...byFile.keys()].sort(walkOrder).flatMap((file) => byFile.get(file)!);
  }
  const targets =
    options.targets !== undefined && options.targets.length > 0 ? options.targets : [PIPELINE_FILE];
  const stages = resolveReproTargets({ root: repo.root, cwd, pipeline }, targets, {
    ...(options.recursive === true ? { recursive: true } : {}),
  });
  return stages.map((stage) => stageListing(stage, cwd));
}

/**
 * The order dvc's walk meets the files in: a directory's own files before its subdirectories, dvc.yaml first
 * and then the `.dvc` files by name, subdirectories by name.
 */
function walkOrder(a: string, b: string): number {
  const key = (file: string): string[] => {
    const parts = file.split(sep);
    const name = parts.pop()!;
    return [...parts.map((part) => `1${part}`), name === PIPELINE_FILE ? "0" : `0${name}`];
  };
  const [ka, kb] = [key(a), key(b)];
  for (let i = 0; i < Math.min(ka.length, kb.length); i++) {
    if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
  }
  return ka.length - kb.length;
}

function stageListing(stage: Stage, cwd: string): StageListing {
  const deps = [...stage.deps, ...new Set(stage.params.map((param) => param.file))];
  const outs = stage.outs.map((out) => out.path);
  const reports = [...stage.metrics, ...stage.plots].map((out) => out.path);
  return { stage: cwdStageAddress(stage, cwd), description: describe(stage.desc, deps, outs, reports) };
}

/** dvc's `prepare_description`: the desc's first non-empty line, else `generate_description`, then truncated. */
function describe(
  desc: unknown,
  deps: readonly string[],
  outs: readonly string[],
  reports: readonly string[],
): string {
  const line =
    typeof desc === "string"
      ? desc
          .split(PYTHON_LINE_BREAK)
          .find((text) => text !== "")
          ?.trim()
      : undefined;
  const text = line ?? generated(deps, outs, reports);
  return text.length > MAX_DESCRIPTION ? `${text.slice(0, MAX_DESCRIPTION - 1)}…` : text;
}

function generated(deps: readonly string[], outs: readonly string[], reports: readonly string[]): string {
  if (deps.length === 0 && outs.length === 0 && reports.length === 0) return "No outputs or dependencies";
  if (outs.length === 0 && reports.length === 0) return `Depends on ${deps.join(", ")}`;
  const parts: string[] = [];
  if (outs.length > 0) parts.push(`Outputs ${outs.join(", ")}`);
  if (reports.length > 0) parts.push(`Reports ${reports.join(", ")}`);
  return parts.join("; ");
}

/** The listing as dvc's `ui.table` prints it: names padded to one width, two spaces, the description. */
export function formatStageList(listings: readonly StageListing[]): string {
  const width = Math.max(0, ...listings.map((listing) => listing.stage.length));
  return listings
    .map((listing) => `${listing.stage.padEnd(width)}  ${listing.description}`.trimEnd() + "\n")
    .join("");
}
