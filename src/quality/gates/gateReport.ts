/**
 * Renders a gate result as Markdown (for terminals, pull requests) and as one self-contained HTML page
 * (inline CSS, no scripts, no external requests) stored beside the run's other artifacts. Pure text
 * functions: writing the files is the caller's job.
 */
import { formatNumber, type ConditionResult, type GateResult } from "./gateResult.js";

export function gateReportMarkdown(result: GateResult): string {
  const lines = [
    `# Quality gate: ${result.policy_name} — ${result.passed ? "PASSED" : "FAILED"}`,
    "",
    ...summary(result).map(([label, value]) => `- **${label}:** ${value}`),
    "",
    "| Condition | Result | Observed | Threshold | Message |",
    "| --- | --- | --- | --- | --- |",
    ...result.conditions.map(
      (c) =>
        `| \`${markdownCell(c.condition)}\` | ${c.passed ? "pass" : "**FAIL**"} | ${value(c.observed)} | ${value(c.threshold)} | ${markdownCell(c.message)} |`,
    ),
  ];
  if (result.notes.length > 0) lines.push("", "Notes:", ...result.notes.map((n) => `- ${n}`));
  return `${lines.join("\n")}\n`;
}

export function gateReportHtml(result: GateResult): string {
  const status = result.passed ? "PASSED" : "FAILED";
  const rows = result.conditions.map(conditionRow).join("\n");
  const facts = summary(result)
    .map(([label, v]) => `<tr><th scope="row">${escapeHtml(label)}</th><td>${escapeHtml(v)}</td></tr>`)
    .join("\n");
  const notes =
    result.notes.length === 0
      ? ""
      : `<h2>Notes</h2><ul>${result.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join("")}</ul>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Quality gate ${escapeHtml(result.policy_name)}: ${status}</title>
<style>
body { font-family: "DejaVu Sans", Arial, sans-serif; margin: 2rem; color: #1d1d1f; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #d0d0d5; padding: 0.35rem 0.7rem; text-align: left; vertical-align: top; }
thead th { background: #f2f2f5; }
td.num { font-variant-numeric: tabular-nums; text-align: right; }
.pass { color: #1a7f37; font-weight: 600; }
.fail { color: #c62828; font-weight: 600; }
.badge { padding: 0.15rem 0.6rem; border-radius: 0.3rem; color: #fff; }
.badge.pass { background: #1a7f37; }
.badge.fail { background: #c62828; }
code { font-family: "DejaVu Sans Mono", monospace; }
</style>
</head>
<body>
<h1>Quality gate <code>${escapeHtml(result.policy_name)}</code> <span class="badge ${result.passed ? "pass" : "fail"}">${status}</span></h1>
<table>
${facts}
</table>
<h2>Conditions</h2>
<table>
<thead><tr><th>Condition</th><th>Result</th><th>Observed</th><th>Threshold</th><th>Message</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${notes}
</body>
</html>
`;
}

function conditionRow(c: ConditionResult): string {
  const cls = c.passed ? "pass" : "fail";
  return (
    `<tr><td><code>${escapeHtml(c.condition)}</code></td><td class="${cls}">${c.passed ? "pass" : "FAIL"}</td>` +
    `<td class="num">${escapeHtml(value(c.observed))}</td><td class="num">${escapeHtml(value(c.threshold))}</td>` +
    `<td>${escapeHtml(c.message)}</td></tr>`
  );
}

function summary(result: GateResult): Array<[string, string]> {
  const champion =
    result.champion === null
      ? "none"
      : `${result.champion.model_name}/${result.champion.version} (alias '${result.champion.alias}', run ${result.champion.run_id ?? "none"})`;
  const facts: Array<[string, string]> = [
    ["Policy", `${result.policy_name} (${result.policy_file}, sha256 ${result.policy_digest.slice(0, 12)})`],
    ["Run", result.run_id],
  ];
  if (result.model_name !== undefined) {
    facts.push(["Model version", `${result.model_name}/${result.version ?? "(none)"}`]);
  }
  facts.push(["Champion", champion], ["Evaluated at", new Date(result.evaluated_at).toISOString()]);
  const passed = result.conditions.filter((c) => c.passed).length;
  facts.push(["Conditions passed", `${passed} of ${result.conditions.length}`]);
  return facts;
}

function value(n: number | null): string {
  return n === null ? "—" : formatNumber(n);
}

function markdownCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}
