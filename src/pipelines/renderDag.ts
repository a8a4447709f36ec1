/**
 * Renders a pipeline DAG for `flowops dag`: a layered ASCII drawing (each node in the layer after its
 * deepest upstream node, then the edges), Graphviz dot, Mermaid (bare or in a Markdown block) in the exact
 * text `dvc dag --dot|--mermaid|--md` prints, and JSON for scripts.
 */
import type { DagGraph } from "./dagGraph.js";

export type DagFormat = "ascii" | "dot" | "mermaid" | "md" | "json";

export function renderDag(graph: DagGraph, format: DagFormat = "ascii"): string {
  const { nodes, edges } = graph;
  const index = new Map(nodes.map((n, i) => [n, i]));
  const at = (n: string): number => index.get(n) ?? -1;
  switch (format) {
    case "dot": {
      // networkx writes the reversed graph: nodes in index order, edges by upstream then downstream node;
      // dvc's ui.write adds a newline after write_dot's own.
      const sorted = [...edges].sort(([a1, b1], [a2, b2]) => at(a1) - at(a2) || at(b1) - at(b2));
      return [
        "strict digraph {",
        ...nodes.map((n) => `"${n}";`),
        ...sorted.map(([a, b]) => `"${a}" -> "${b}";`),
        "}",
        "",
        "",
      ].join("\n");
    }
    case "mermaid":
    case "md": {
      const text = mermaid(graph);
      return format === "md" ? `\`\`\`mermaid\n${text}\n\`\`\`\n` : `${text}\n`;
    }
    case "json":
      return `${JSON.stringify(
        {
          stages: nodes.map((n) => {
            const s = graph.stages.get(n);
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
      return renderAscii(graph);
  }
}

/** dvc's `_show_mermaid`: one block per connected pipeline (in node order), nodes and edges sorted by label. */
function mermaid({ nodes, edges }: DagGraph): string {
  const lines = ["flowchart TD"];
  const seen = new Set<string>();
  let count = 0;
  for (const start of nodes) {
    if (seen.has(start)) continue;
    const component = new Set([start]);
    const queue = [start];
    for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
      for (const [a, b] of edges) {
        const other = a === next ? b : b === next ? a : undefined;
        if (other !== undefined && !component.has(other)) {
          component.add(other);
          queue.push(other);
        }
      }
    }
    const id = new Map<string, string>();
    for (const node of [...component].sort(byCodePoint)) {
      seen.add(node);
      id.set(node, `node${++count}`);
      lines.push(`\t${id.get(node)}["${node}"]`);
    }
    const inside = edges.filter(([a]) => component.has(a));
    inside.sort(([a1, b1], [a2, b2]) => byCodePoint(a1, a2) || byCodePoint(b1, b2));
    for (const [a, b] of inside) lines.push(`\t${id.get(a)}-->${id.get(b)}`);
  }
  return lines.join("\n");
}

/** Python's string order (code points), not the locale's. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A node with no edges as dvc draws it: its own pipeline, one box after another, each line padded with spaces
 * to the width of grandalf's canvas (the box's width rounded up to an odd number, plus one).
 */
function asciiLoneNode(name: string): string {
  const width = name.length + 4;
  const pad = " ".repeat(1 + (width % 2));
  const border = `+${"-".repeat(name.length + 2)}+${pad}`;
  return `${border}\n| ${name} |${pad}\n${border}\n`;
}

function renderAscii({ nodes: names, edges }: DagGraph): string {
  // dvc draws an empty graph (no dvc.yaml, a git-ignored one, or one without stages) as an empty line.
  if (names.length === 0) return "\n";
  if (edges.length === 0) return names.map(asciiLoneNode).join("");
  const layer = new Map<string, number>();
  // A collapsed group may depend on itself: that edge sets no layer.
  const levelOf = (name: string): number => {
    const known = layer.get(name);
    if (known !== undefined) return known;
    const parents = edges.filter(([a, b]) => b === name && a !== name).map(([a]) => a);
    const level = parents.length === 0 ? 0 : Math.max(...parents.map((p) => levelOf(p) + 1));
    layer.set(name, level);
    return level;
  };
  for (const name of names) levelOf(name);
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
