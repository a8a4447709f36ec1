/**
 * Renders a pipeline DAG for `flowops dag`: a layered ASCII drawing (each stage in the layer after its
 * deepest upstream stage, then the edges), Graphviz dot and Mermaid in the exact text `dvc dag --dot` and
 * `dvc dag --mermaid` print, and JSON for scripts.
 */
import type { Dag } from "./pipelineDag.js";

export type DagFormat = "ascii" | "dot" | "mermaid" | "json";

export function renderDag(dag: Dag, format: DagFormat = "ascii", targets?: readonly string[]): string {
  const names = selectedNames(dag, targets);
  const edges = dag.edges.filter(([a, b]) => names.includes(a) && names.includes(b));
  switch (format) {
    case "dot":
      return [
        "strict digraph {",
        ...names.map((n) => `"${n}";`),
        ...edges.map(([a, b]) => `"${a}" -> "${b}";`),
        "}",
        "",
      ].join("\n");
    case "mermaid": {
      const id = new Map(names.map((n, i) => [n, `node${i + 1}`]));
      return [
        "flowchart TD",
        ...names.map((n) => `\t${id.get(n)}["${n}"]`),
        ...edges.map(([a, b]) => `\t${id.get(a)}-->${id.get(b)}`),
        "",
      ].join("\n");
    }
    case "json":
      return `${JSON.stringify(
        {
          stages: names.map((n) => {
            const s = dag.stages.get(n);
            return {
              name: n,
              cmd: s?.cmd ?? [],
              deps: s?.deps ?? [],
              outs: [...(s?.outs ?? []), ...(s?.metrics ?? []), ...(s?.plots ?? [])].map((o) => o.path),
            };
          }),
          edges: edges.map(([from, to]) => ({ from, to })),
        },
        null,
        2,
      )}\n`;
    case "ascii":
      return renderAscii(dag, names, edges);
  }
}

function selectedNames(dag: Dag, targets: readonly string[] | undefined): string[] {
  if (targets === undefined || targets.length === 0) return [...dag.stages.keys()];
  const wanted = new Set(dag.order(targets).map((s) => s.name));
  return [...dag.stages.keys()].filter((n) => wanted.has(n));
}

function renderAscii(dag: Dag, names: string[], edges: (readonly [string, string])[]): string {
  if (names.length === 0) return "(no stages)\n";
  const layer = new Map<string, number>();
  for (const stage of dag.order(names)) {
    const parents = dag.parents(stage.name).filter((p) => names.includes(p));
    layer.set(
      stage.name,
      parents.length === 0 ? 0 : Math.max(...parents.map((p) => (layer.get(p) ?? 0) + 1)),
    );
  }
  const depth = Math.max(...layer.values());
  const lines: string[] = [];
  for (let level = 0; level <= depth; level++) {
    const row = names.filter((n) => layer.get(n) === level);
    const borders = row.map((n) => `+${"-".repeat(n.length + 2)}+`);
    lines.push(borders.join("  "), row.map((n) => `| ${n} |`).join("  "), borders.join("  "));
    if (level < depth) {
      const arrows = row.map((n) => {
        const mid = Math.floor((n.length + 4) / 2);
        const hasChild = edges.some(([a]) => a === n);
        return `${" ".repeat(mid)}${hasChild ? "|" : " "}${" ".repeat(n.length + 4 - mid - 1)}`;
      });
      lines.push(
        arrows.join("  ").trimEnd(),
        arrows
          .map((a) => a.replace("|", "v"))
          .join("  ")
          .trimEnd(),
      );
    }
  }
  const trimmed = lines.map((l) => l.trimEnd());
  if (edges.length > 0) {
    trimmed.push("", "edges:", ...edges.map(([a, b]) => `  ${a} -> ${b}`));
  }
  return `${trimmed.join("\n")}\n`;
}
