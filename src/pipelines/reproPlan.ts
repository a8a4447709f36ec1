/**
 * Which stages a `repro` considers, and in what order: the stages its targets select (resolved as `dvc repro`
 * resolves them, relative to the cwd) with everything upstream of them, dependencies first, as DVC's
 * `plan_repro`. It only plans; repro.ts runs the plan.
 */
import type { Pipeline } from "./dvcYaml.js";
import { buildDag } from "./pipelineDag.js";
import { resolveReproTargets } from "./statusTargets.js";

/** What a repro starts from. */
export interface ReproTargets {
  /**
   * Targets as `dvc repro` takes them, relative to `cwd`: `train`, `dvc.yaml:train`, `prep/dvc.yaml:clean`,
   * `../dvc.yaml:train`, `prep/dvc.yaml` (all its stages) or a foreach/matrix group.
   */
  targets?: readonly string[];
  /**
   * The directory the targets are relative to, as dvc's cwd is: given, no targets means the stages of its
   * dvc.yaml (plain `dvc repro`); absent, targets are relative to the repo root and no targets means every
   * stage of every dvc.yaml (`dvc repro --all-pipelines`).
   */
  cwd?: string;
  /** Only the targets, not their upstream stages. */
  singleItem?: boolean;
}

/** The stages to consider, in DVC's order, each with the planned stages it waits for. */
export function planStages(
  pipeline: Pipeline,
  options: ReproTargets,
): { name: string; upstream: string[] }[] {
  const dag = buildDag(pipeline);
  const allPipelines = options.cwd === undefined && (options.targets ?? []).length === 0;
  const targets = allPipelines
    ? []
    : resolveReproTargets(
        { root: pipeline.root, cwd: options.cwd ?? pipeline.root, pipeline },
        options.targets ?? [],
      ).map((stage) => stage.name);
  // An empty `order` means every stage; targets that select none (a `.dvc` file) must plan none.
  const ordered = allPipelines || targets.length > 0 ? dag.order(targets).map((stage) => stage.name) : [];
  const names =
    options.singleItem === true && !allPipelines ? ordered.filter((n) => targets.includes(n)) : ordered;
  return names.map((name) => ({ name, upstream: dag.parents(name) }));
}
