/**
 * The graph `dvc dag` draws (dvc/commands/dag.py), as labelled nodes and `[upstream, downstream]` edges: the
 * stages of every dvc.yaml plus each `.dvc` file (a stage to dvc, upstream of the stages that depend on its
 * outs), or with `outs` the outputs themselves. Labels are what dvc prints: stage addresses and paths
 * relative to the cwd. Node order is dvc's index order (files sorted, stages in file order; outs as dvc's
 * outs trie lists them), which fixes the dot and mermaid texts. A target keeps itself and its upstream
 * (`full`: its whole pipeline), then only the nodes connected to it, as dvc's `_filter`.
 */
import { relative, resolve, sep } from "node:path";
import { isSameOrInside, type TrackedOut } from "../data/dvcFile.js";
import { FlowOpsError } from "../errors.js";
import { cwdStageAddress, type Stage } from "./dvcYaml.js";
import type { Dag } from "./pipelineDag.js";
import { resolveStatusTargets } from "./statusTargets.js";

export interface DagGraph {
  /** Labels, in dvc's node order. */
  readonly nodes: readonly string[];
  /** `[upstream, downstream]` label pairs, deduplicated. */
  readonly edges: readonly (readonly [string, string])[];
  /** The stage behind a label (stage graphs only; `.dvc` files have none). */
  readonly stages: ReadonlyMap<string, Stage>;
}

export interface DagGraphOptions {
  root: string;
  /** Where targets are read from, and (unless `labelDir`) what labels are relative to. */
  cwd: string;
  /** Labels relative to this directory instead (JSON keeps repo-relative names for scripts). */
  labelDir?: string;
  /** Outs of the `.dvc` files of the workspace. */
  tracked?: readonly TrackedOut[];
  targets?: readonly string[];
  full?: boolean;
  outs?: boolean;
  collapseForeachMatrix?: boolean;
}

/** dvc's JOIN: the separator of generated stage names. */
const JOIN = "@";

interface Node {
  label: string;
  /** Sort key of the file defining it: dvc walks files in this order. */
  file: string;
  stage?: Stage;
  /** Absolute paths this node produces (a stage's or a `.dvc` file's outs; an out itself). */
  produces: string[];
  /** Absolute dep paths (stages only). */
  consumes: string[];
}

export function dagGraph(dag: Dag, options: DagGraphOptions): DagGraph {
  if (options.outs === true && options.collapseForeachMatrix === true) {
    throw new FlowOpsError(
      "INVALID_PARAMETER_VALUE",
      "`--outs` and `--collapse-foreach-matrix` are mutually exclusive",
    );
  }
  const labelDir = options.labelDir ?? options.cwd;
  const rel = (abs: string): string => relative(labelDir, abs).split(sep).join("/");
  const tracked = options.tracked ?? [];
  const stageNodes: Node[] = [...dag.stages.values()].map((stage) => ({
    label: cwdStageAddress(stage, labelDir),
    file: stage.pipelineFile,
    stage,
    produces: [...stage.outs, ...stage.metrics, ...stage.plots].map((out) => resolve(stage.wdir, out.path)),
    consumes: stage.deps.map((dep) => resolve(stage.wdir, dep)),
  }));
  const dvcFiles = [...new Set(tracked.map((out) => out.dvcFile))];
  const fileNodes: Node[] = dvcFiles.map((file) => ({
    label: rel(file),
    file,
    produces: tracked.filter((out) => out.dvcFile === file).map((out) => out.abs),
    consumes: [],
  }));
  // Stable: stages keep their order within a file.
  const ordered = [...stageNodes, ...fileNodes].sort((a, b) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : 0,
  );
  const overlaps = (dep: string, out: string): boolean =>
    isSameOrInside(dep, out) || isSameOrInside(out, dep);

  let graph: Graph;
  if (options.outs === true) {
    const outs = trieOrder(ordered.flatMap((node) => node.produces));
    const edges: [string, string][] = [];
    for (const node of ordered) {
      for (const dep of node.consumes) {
        for (const out of outs.filter((o) => overlaps(dep, o))) {
          for (const from of node.produces) edges.push([rel(out), rel(from)]);
        }
      }
    }
    graph = { nodes: outs.map(rel), edges };
  } else {
    const edges: [string, string][] = [];
    for (const node of ordered) {
      for (const dep of node.consumes) {
        for (const up of ordered) {
          if (up.produces.some((out) => overlaps(dep, out))) edges.push([up.label, node.label]);
        }
      }
    }
    graph = { nodes: ordered.map((n) => n.label), edges };
  }
  graph = { nodes: graph.nodes, edges: dedupe(graph.edges) };

  if (options.targets !== undefined && options.targets.length > 0) {
    const wanted = targetLabels(dag, options, ordered, rel);
    graph = filter(graph, wanted, options.full === true);
  }
  if (options.collapseForeachMatrix === true) graph = collapse(graph);
  const stages = new Map(
    ordered.flatMap((n) => (n.stage === undefined ? [] : [[n.label, n.stage] as const])),
  );
  return { ...graph, stages };
}

interface Graph {
  nodes: string[];
  edges: (readonly [string, string])[];
}

function dedupe(edges: readonly (readonly [string, string])[]): [string, string][] {
  const seen = new Set<string>();
  return edges.filter(([a, b]) => {
    const key = JSON.stringify([a, b]);
    return !seen.has(key) && seen.add(key);
  }) as [string, string][];
}

/** dvc's outs trie lists outs grouped by their path components, each group where its first out was added. */
function trieOrder(paths: readonly string[]): string[] {
  interface TrieNode {
    value?: string;
    children: Map<string, TrieNode>;
  }
  const root: TrieNode = { children: new Map() };
  for (const path of paths) {
    let node = root;
    for (const part of path.split(sep)) {
      let child = node.children.get(part);
      if (child === undefined) {
        child = { children: new Map() };
        node.children.set(part, child);
      }
      node = child;
    }
    node.value = path;
  }
  const out: string[] = [];
  const walk = (node: TrieNode): void => {
    if (node.value !== undefined) out.push(node.value);
    for (const child of node.children.values()) walk(child);
  };
  walk(root);
  return out;
}

/** dvc's `collect_granular` on each target: a stage, a group, a dvc.yaml or `.dvc` file, or an output path. */
function targetLabels(
  dag: Dag,
  options: DagGraphOptions,
  nodes: readonly Node[],
  rel: (abs: string) => string,
): Set<string> {
  const selections = resolveStatusTargets(
    { root: options.root, cwd: options.cwd, pipeline: dag.pipeline, tracked: options.tracked ?? [] },
    options.targets ?? [],
    false,
  );
  const wanted = new Set<string>();
  for (const selection of selections) {
    const node =
      selection.kind === "stage"
        ? nodes.find((n) => n.stage === selection.stage)
        : nodes.find((n) => n.stage === undefined && n.file === selection.outs[0]?.dvcFile);
    if (node === undefined) continue;
    if (options.outs !== true) {
      wanted.add(node.label);
      continue;
    }
    const filter = selection.kind === "stage" ? selection.filter : undefined;
    for (const out of node.produces) {
      if (filter === undefined || isSameOrInside(out, filter) || isSameOrInside(filter, out))
        wanted.add(rel(out));
    }
  }
  return wanted;
}

function filter(graph: Graph, targets: ReadonlySet<string>, full: boolean): Graph {
  let keep = new Set(graph.nodes);
  if (!full) {
    keep = new Set(targets);
    const queue = [...targets];
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      for (const [up, down] of graph.edges) {
        if (down === next && !keep.has(up)) {
          keep.add(up);
          queue.push(up);
        }
      }
    }
  }
  const edges = graph.edges.filter(([a, b]) => keep.has(a) && keep.has(b));
  const connected = new Set(targets);
  const queue = [...targets];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    for (const [a, b] of edges) {
      const other = a === next ? b : b === next ? a : undefined;
      if (other !== undefined && !connected.has(other)) {
        connected.add(other);
        queue.push(other);
      }
    }
  }
  return {
    nodes: graph.nodes.filter((n) => keep.has(n) && connected.has(n)),
    edges: edges.filter(([a, b]) => connected.has(a) && connected.has(b)),
  };
}

/** One node per foreach/matrix group (`.dvc` files aside), added after the others as dvc adds them. */
function collapse(graph: Graph): Graph {
  const isMember = (n: string): boolean => !n.endsWith(".dvc") && n.includes(JOIN);
  const group = (n: string): string => (isMember(n) ? (n.split(JOIN)[0] ?? n) : n);
  const kept = graph.nodes.filter((n) => !isMember(n));
  const added = [...new Set(graph.nodes.filter(isMember).map(group))].filter((n) => !kept.includes(n));
  return {
    nodes: [...kept, ...added],
    edges: dedupe(graph.edges.map(([a, b]) => [group(a), group(b)] as const)),
  };
}
