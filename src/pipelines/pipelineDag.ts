/**
 * The stage graph of a pipeline: stage B depends on stage A when one of B's deps is one of A's outs (metrics
 * and plots included), lies inside an out directory of A, or contains one of A's outs. Building the graph
 * rejects what DVC rejects: two stages declaring the same out, an out inside another out, and cycles, each
 * error naming the stages, their files and paths. The graph spans every dvc.yaml of the repo: stages are
 * keyed by their DVC address (`train`, `prep/dvc.yaml:clean`), paths compared relative to the repo root, POSIX.
 */
import { posix, relative, sep } from "node:path";
import { FlowOpsError, notFound } from "../errors.js";
import { parseDvcTarget } from "../data/dvcTarget.js";
import { PIPELINE_FILE, stageAddress, type Pipeline, type Stage } from "./dvcYaml.js";

export interface Dag {
  readonly pipeline: Pipeline;
  /** Stages by name, in dvc.yaml order. */
  readonly stages: ReadonlyMap<string, Stage>;
  /** `[upstream, downstream]` pairs, deduplicated, in a stable order. */
  readonly edges: readonly (readonly [string, string])[];
  /** Direct upstream stages of `name`. */
  parents(name: string): string[];
  /** Direct downstream stages of `name`. */
  children(name: string): string[];
  /** `name` and every stage it transitively depends on, upstream first. */
  upstream(name: string): Stage[];
  /** `name` and every stage that transitively depends on it, in run order. */
  downstream(name: string): Stage[];
  /**
   * Run order: every stage (no targets) or the targets with their upstream, dependencies first (DFS
   * post-order in dvc.yaml order, as DVC's `plan_repro`). A target may name a foreach/matrix group.
   */
  order(targets?: readonly string[]): Stage[];
  /** Expands target names (a group selects its generated stages); unknown names are an error. */
  resolveTargets(targets: readonly string[]): string[];
}

/** Repo-root-relative POSIX path of a stage path. */
export function stagePath(stage: Stage, path: string): string {
  const joined = posix.normalize(posix.join(stage.relWdir, path.replaceAll("\\", "/")));
  return joined.endsWith("/") && joined.length > 1 ? joined.slice(0, -1) : joined;
}

function ancestors(path: string): string[] {
  const parts = path.split("/");
  const out: string[] = [];
  for (let i = 1; i < parts.length; i++) out.push(parts.slice(0, i).join("/"));
  return out;
}

function invalid(pipeline: Pipeline, stage: Stage | undefined, message: string): FlowOpsError {
  const where = stage === undefined ? pipeline.file : `${stage.pipelineFile}:${stage.line}`;
  return new FlowOpsError("INVALID_PARAMETER_VALUE", `${where}: ${message}`);
}

/** The repo-relative POSIX path of the dvc.yaml that defines `stage`. */
export function stageDvcfile(pipeline: Pipeline, stage: Stage): string {
  return relative(pipeline.root, stage.pipelineFile).split(sep).join("/");
}

/** `stage 'name' (file:line)`, so an error about two stages says where each one is. */
function located(pipeline: Pipeline, stage: Stage): string {
  return `stage '${stage.name}' (${stageDvcfile(pipeline, stage)}:${stage.line})`;
}

/**
 * DVC's `parse_target` (src/data/dvcTarget.ts) with the file made explicit: `file:name`, a bare `name` (a
 * stage of the root dvc.yaml), or a path to a dvc.yaml (all of its stages). A generated name keeps its
 * `@key` whole.
 */
export function parseStageTarget(target: string): { file: string; name?: string } {
  const { path, name } = parseDvcTarget(target);
  const file = path === undefined ? PIPELINE_FILE : posix.normalize(path);
  return name === undefined ? { file } : { file, name };
}

export function buildDag(pipeline: Pipeline): Dag {
  const stages = new Map(pipeline.stages.map((s) => [s.name, s]));
  const owner = new Map<string, { stage: Stage; path: string }>();
  const under = new Map<string, string[]>();
  for (const stage of pipeline.stages) {
    for (const out of [...stage.outs, ...stage.metrics, ...stage.plots]) {
      const path = stagePath(stage, out.path);
      const existing = owner.get(path);
      if (existing !== undefined) {
        throw invalid(
          pipeline,
          stage,
          `output '${path}' is declared by both ${located(pipeline, existing.stage)} and ${located(pipeline, stage)}`,
        );
      }
      owner.set(path, { stage, path: out.path });
      for (const dir of ancestors(path)) {
        const list = under.get(dir);
        if (list === undefined) under.set(dir, [path]);
        else list.push(path);
      }
    }
  }
  for (const [path, { stage }] of owner) {
    for (const dir of ancestors(path)) {
      const outer = owner.get(dir);
      if (outer !== undefined) {
        throw invalid(
          pipeline,
          stage,
          `output '${path}' of ${located(pipeline, stage)} is inside output '${dir}' of ${located(pipeline, outer.stage)}`,
        );
      }
    }
  }

  const parents = new Map<string, Set<string>>(pipeline.stages.map((s) => [s.name, new Set()]));
  const children = new Map<string, Set<string>>(pipeline.stages.map((s) => [s.name, new Set()]));
  const edges: [string, string][] = [];
  const addEdge = (from: string, to: string): void => {
    const set = parents.get(to);
    if (set === undefined || set.has(from)) return;
    set.add(from);
    children.get(from)?.add(to);
    edges.push([from, to]);
  };
  for (const stage of pipeline.stages) {
    for (const dep of stage.deps) {
      const path = stagePath(stage, dep);
      const producers = [path, ...ancestors(path)].flatMap((p) => {
        const o = owner.get(p);
        return o === undefined ? [] : [o.stage.name];
      });
      for (const inside of under.get(path) ?? []) {
        const o = owner.get(inside);
        if (o !== undefined) producers.push(o.stage.name);
      }
      for (const producer of producers) {
        if (producer === stage.name) {
          throw invalid(
            pipeline,
            stage,
            `cycle in the pipeline: stage ${stage.name} -> ${stage.name} (dependency '${dep}' is its own output)`,
          );
        }
        addEdge(producer, stage.name);
      }
    }
  }
  checkAcyclic(pipeline, parents);

  const postOrder = (roots: Iterable<string>): Stage[] => {
    const seen = new Set<string>();
    const result: Stage[] = [];
    const visit = (name: string): void => {
      if (seen.has(name)) return;
      seen.add(name);
      for (const parent of parents.get(name) ?? []) visit(parent);
      const stage = stages.get(name);
      if (stage !== undefined) result.push(stage);
    };
    for (const root of roots) visit(root);
    return result;
  };
  const resolveTargets = (targets: readonly string[]): string[] =>
    targets.flatMap((target) => {
      const { file, name } = parseStageTarget(target);
      if (name === undefined) {
        const inFile = pipeline.stages.filter((s) => stageDvcfile(pipeline, s) === file).map((s) => s.name);
        if (inFile.length > 0) return inFile;
        throw notFound(`'${target}': no stages in ${file} (pipeline files: ${fileList(pipeline)})`);
      }
      const address = stageAddress(file, name);
      if (stages.has(address)) return [address];
      const members = pipeline.stages.filter((s) => s.group === address).map((s) => s.name);
      if (members.length > 0) return members;
      throw notFound(`stage '${target}' not found in ${file} (stages: ${[...stages.keys()].join(", ")})`);
    });
  const get = (name: string): void => {
    // Throws for an unknown stage so callers never get an empty answer for a typo.
    if (!stages.has(name))
      throw notFound(`stage '${name}' not found (pipeline files: ${fileList(pipeline)})`);
  };

  return {
    pipeline,
    stages,
    edges,
    parents: (name) => {
      get(name);
      return [...(parents.get(name) ?? [])];
    },
    children: (name) => {
      get(name);
      return [...(children.get(name) ?? [])];
    },
    upstream: (name) => {
      get(name);
      return postOrder([name]);
    },
    downstream: (name) => {
      get(name);
      const reached = new Set<string>([name]);
      const queue = [name];
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        for (const child of children.get(next) ?? []) {
          if (!reached.has(child)) {
            reached.add(child);
            queue.push(child);
          }
        }
      }
      return postOrder(pipeline.stages.map((s) => s.name)).filter((s) => reached.has(s.name));
    },
    order: (targets) =>
      postOrder(targets === undefined || targets.length === 0 ? stages.keys() : resolveTargets(targets)),
    resolveTargets,
  };
}

function fileList(pipeline: Pipeline): string {
  return pipeline.files.map((file) => relative(pipeline.root, file).split(sep).join("/")).join(", ");
}

function checkAcyclic(pipeline: Pipeline, parents: Map<string, Set<string>>): void {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (name: string): void => {
    const s = state.get(name);
    if (s === "done") return;
    if (s === "visiting") {
      // The stack holds the path downstream -> upstream; print it in data-flow order.
      const loop = stack.slice(stack.indexOf(name)).reverse();
      const cycle = [name, ...loop.slice(0, -1)];
      const stage = pipeline.stages.find((st) => st.name === name);
      const files = [...new Set(cycle.map((n) => pipeline.stages.find((st) => st.name === n)))]
        .flatMap((st) => (st === undefined ? [] : [`${stageDvcfile(pipeline, st)}:${st.line}`]))
        .join(", ");
      throw invalid(
        pipeline,
        stage,
        `cycle in the pipeline: stage ${[...cycle, cycle[0]].join(" -> ")} (defined at ${files})`,
      );
    }
    state.set(name, "visiting");
    stack.push(name);
    for (const parent of parents.get(name) ?? []) visit(parent);
    stack.pop();
    state.set(name, "done");
  };
  for (const name of parents.keys()) visit(name);
}
