/**
 * Which stages a `repro` considers, and in what order, as DVC's `reproduce` and `plan_repro` choose them
 * (dvc/repo/reproduce.py): the stages its targets select (resolved relative to the cwd), with everything
 * upstream of them, dependencies first; `downstream` swaps upstream for downstream, `pipeline` takes each
 * target's whole pipeline (the connected part of the graph it lies in). Planning uses DVC's "active" graph:
 * a frozen stage is cut off from the stages it depends on, so reproducing below it never reruns what is
 * above it. It only plans; repro.ts runs the plan.
 */
import { stagesReadingDvcFiles } from "./dataSources.js";
import type { Pipeline } from "./dvcYaml.js";
import { buildDag, type Dag } from "./pipelineDag.js";
import { resolveReproTargets, type ReproTargetOptions } from "./statusTargets.js";

/** What a repro starts from. */
export interface ReproTargets extends ReproTargetOptions {
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
  /** Only the targets, not their upstream stages, in the order given. */
  singleItem?: boolean;
  /** `--downstream`: the targets and every stage that depends on them, instead of what they depend on. */
  downstream?: boolean;
  /** `-p`: every stage of the pipelines (connected parts of the graph) the targets belong to. */
  wholePipeline?: boolean;
}

/** One planned stage: the planned stages it depends on, and those it only runs after (`-s`). */
export interface PlannedStage {
  name: string;
  /** Upstream in DVC's graph: a failure there skips this stage; a run there forces it (--force-downstream). */
  upstream: string[];
  /** Earlier `-s` items it must not overlap with: an order only, as DVC has no graph between them. */
  after?: string[];
}

/** Whether every stage from all pipelines is planned (no cwd, no targets: `--all-pipelines`). */
function plansAllPipelines(options: ReproTargets): boolean {
  return options.cwd === undefined && (options.targets ?? []).length === 0;
}

/**
 * Whether the plan is `-s` items, which DVC runs with no graph between them: `-p` and `--all-pipelines`
 * turn `-s` off (dvc/repo/reproduce.py), as planStages does.
 */
export function plansSingleItems(options: ReproTargets): boolean {
  return options.singleItem === true && options.wholePipeline !== true && !plansAllPipelines(options);
}

/** The stages to consider, in DVC's order, each with the planned stages it waits for. */
export function planStages(pipeline: Pipeline, options: ReproTargets): PlannedStage[] {
  const dag = buildDag(pipeline);
  const graph = activeGraph(dag);
  const allPipelines = plansAllPipelines(options);
  const targets = allPipelines
    ? []
    : resolveReproTargets(
        { root: pipeline.root, cwd: options.cwd ?? pipeline.root, pipeline },
        options.targets ?? [],
        options,
      ).map((stage) => stage.name);
  // A `.dvc` target is a data source (dataSources.ts plans it); below it, and in its pipeline, are the
  // stages that read it.
  const withReaders = (): string[] => [
    ...new Set([
      ...targets,
      ...stagesReadingDvcFiles(pipeline, options.cwd ?? pipeline.root, options.targets ?? []),
    ]),
  ];
  let names: string[];
  if (allPipelines) names = graph.postOrder(dag.stages.keys());
  else if (options.wholePipeline === true)
    names = wholePipelines(graph, [...dag.stages.keys()], withReaders());
  else if (plansSingleItems(options)) return singleItems(dag, targets);
  else if (options.downstream === true)
    names = graph.postOrder(dag.stages.keys(), graph.below(withReaders()));
  // dvc walks its subgraph in the index's order (graph.subgraph keeps the graph's node order once the
  // subgraph is at least half the graph, and is a hash-ordered set below that): not the order targets are given.
  else names = graph.postOrder(dag.stages.keys(), new Set(graph.postOrder(targets)));
  return names.map((name) => ({ name, upstream: graph.parents(name) }));
}

interface ActiveGraph {
  /** Direct upstream stages, none for a frozen stage. */
  parents(name: string): string[];
  /**
   * DFS post-order from `roots`, upstream first, in dvc.yaml order among siblings (networkx's
   * `dfs_postorder_nodes`); with `within`, only those stages are visited, as on DVC's subgraph.
   */
  postOrder(roots: Iterable<string>, within?: ReadonlySet<string>): string[];
  /** The stages `names` are, and every stage that depends on one of them. */
  below(names: readonly string[]): Set<string>;
  /** The stages connected to `name` by any chain of dependencies, in either direction. */
  component(name: string): Set<string>;
}

function activeGraph(dag: Dag): ActiveGraph {
  const frozen = (name: string): boolean => dag.stages.get(name)?.frozen === true;
  const parents = (name: string): string[] => (frozen(name) ? [] : dag.parents(name));
  const children = (name: string): string[] => dag.children(name).filter((child) => !frozen(child));
  const reach = (start: readonly string[], next: (name: string) => string[]): Set<string> => {
    const reached = new Set(start);
    const queue = [...start];
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      for (const other of next(name)) {
        if (reached.has(other)) continue;
        reached.add(other);
        queue.push(other);
      }
    }
    return reached;
  };
  return {
    parents,
    postOrder: (roots, within) => {
      const seen = new Set<string>();
      const order: string[] = [];
      const visit = (name: string): void => {
        if (seen.has(name) || (within !== undefined && !within.has(name))) return;
        seen.add(name);
        for (const parent of parents(name)) visit(parent);
        order.push(name);
      };
      for (const root of roots) visit(root);
      return order;
    },
    below: (names) => reach(names, children),
    component: (name) => reach([name], (other) => [...parents(other), ...children(other)]),
  };
}

/**
 * `-s`: the targets alone, in the order given, as DVC runs them (its plan is the collected stages, no graph).
 * DVC runs them one by one, so with `--jobs` a stage must still wait for every earlier item it is related to
 * in the DAG, whichever way: a stage removes its outs when it starts, so running it beside a stage that reads
 * them (downstream, even through stages not listed) or writes what it reads (upstream) races on those files.
 * Unrelated items may still overlap. The full DAG, not the active one, decides: a frozen stage still reads
 * its deps, and waiting longer never departs from DVC's sequential order.
 * That wait is `after`, not `upstream`: with no graph, DVC's `-k` skips nothing below a failed item and
 * `--force-downstream` forces nothing (dvc/repo/reproduce.py passes `graph=None` for single items).
 */
function singleItems(dag: Dag, targets: readonly string[]): PlannedStage[] {
  const names = [...new Set(targets)];
  const ancestors = new Map(
    names.map((name) => [name, new Set(dag.upstream(name).map((stage) => stage.name))]),
  );
  const related = (one: string, other: string): boolean =>
    ancestors.get(one)?.has(other) === true || ancestors.get(other)?.has(one) === true;
  return names.map((name, index) => ({
    name,
    upstream: [],
    after: names.slice(0, index).filter((earlier) => related(name, earlier)),
  }));
}

/**
 * `-p`: the pipelines the targets lie in, one after another in the order the targets name them (DVC
 * composes them in that order), each in dvc.yaml order.
 */
function wholePipelines(graph: ActiveGraph, all: readonly string[], targets: readonly string[]): string[] {
  const names: string[] = [];
  const taken = new Set<string>();
  for (const target of targets) {
    if (taken.has(target)) continue;
    const component = graph.component(target);
    for (const name of component) taken.add(name);
    names.push(...graph.postOrder(all, component));
  }
  return names;
}
