import { describe, expect, it } from "vitest";
import { gateReportHtml, gateReportMarkdown } from "./gateReport.js";
import type { GateResult } from "./gateResult.js";

const RESULT: GateResult = {
  policy_name: "prod-gate",
  policy_file: "gates.yaml",
  policy_digest: "ab".repeat(32),
  run_id: "r1",
  model_name: "churn",
  version: "3",
  passed: false,
  champion_alias: "production",
  champion: { alias: "production", model_name: "churn", version: "2", run_id: "r0" },
  conditions: [
    {
      condition: "accuracy >= 0.9",
      line: 3,
      passed: true,
      observed: 0.93,
      threshold: 0.9,
      message: "accuracy = 0.93 >= 0.9",
    },
    {
      condition: "f1 >= champion.f1 - 0.01",
      line: 4,
      passed: false,
      observed: 0.8,
      threshold: 0.89,
      message: "f1 = 0.8, expected >= 0.89 <script>",
    },
    {
      condition: "auc > 0.5",
      line: 5,
      passed: false,
      observed: null,
      threshold: 0.5,
      message: "metric auc not logged on run r1",
    },
  ],
  notes: [],
  evaluated_at: Date.UTC(2026, 0, 2, 3, 4, 5),
};

describe("gate reports", () => {
  it("writes a Markdown table with result, observed value and threshold per condition", () => {
    const md = gateReportMarkdown(RESULT);
    expect(md).toContain("# Quality gate: prod-gate — FAILED");
    expect(md).toContain("- **Champion:** churn/2 (alias 'production', run r0)");
    expect(md).toContain("| `accuracy >= 0.9` | pass | 0.93 | 0.9 | accuracy = 0.93 >= 0.9 |");
    expect(md).toContain("| `f1 >= champion.f1 - 0.01` | **FAIL** | 0.8 | 0.89 |");
    expect(md).toContain("| `auc > 0.5` | **FAIL** | — | 0.5 | metric auc not logged on run r1 |");
    expect(md).toContain("- **Conditions passed:** 1 of 3");
  });

  it("writes a self-contained HTML page with escaped text", () => {
    const html = gateReportHtml(RESULT);
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<span class="badge fail">FAILED</span>');
    expect(html).toContain("expected &gt;= 0.89 &lt;script&gt;");
    expect(html).not.toContain("<script>");
    expect(html).not.toMatch(/(src|href)=/);
    expect(html).toContain("churn/2 (alias &#39;production&#39;, run r0)");
    expect(html).toContain("2026-01-02T03:04:05.000Z");
  });
});
