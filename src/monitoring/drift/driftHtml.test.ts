import { describe, expect, it } from "vitest";

import { detectDrift } from "./datasetDrift.js";
import { renderDriftHtml } from "./driftHtml.js";

const numbers = (n: number, shift: number): Float64Array =>
  Float64Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898) * 3 + shift);

describe("the drift HTML report", () => {
  const hostile = `<script>alert("x")</script>`;
  const report = detectDrift(
    [
      { name: "amount", values: numbers(3000, 0) },
      { name: hostile, values: Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? hostile : "b & c")) },
    ],
    [
      { name: "amount", values: numbers(2000, 1.5) },
      { name: hostile, values: Array.from({ length: 2000 }, (_, i) => (i % 2 === 0 ? hostile : "b & c")) },
    ],
  );
  const html = renderDriftHtml(report, { title: "Drift <today>" });

  it("is a self-contained page with no scripts and nothing loaded from elsewhere", () => {
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).not.toMatch(/<script|src=|href="http|@import/i);
  });

  it("escapes column names, categories and the title", () => {
    expect(html).not.toContain(hostile);
    expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(html).toContain("b &amp; c");
    expect(html).toContain("<title>Drift &lt;today&gt;</title>");
  });

  it("summarises every column and plots each one", () => {
    expect(html).toContain("Dataset drift detected");
    expect(html.match(/<tr><td>/g)).toHaveLength(2);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain(">wasserstein<");
    expect(html).toContain(">jensenshannon<");
  });
});
