import { describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import { confusionMatrixSvg } from "./confusionMatrixSvg.js";
import { precisionRecallSvg, rocCurveSvg } from "./curveCharts.js";
import { perClassAccuracySvg } from "./perClassAccuracySvg.js";
import { predictedVsActualSvg, residualsSvg } from "./regressionCharts.js";

const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/y;

function checkEntities(text: string, where: string): void {
  for (let i = text.indexOf("&"); i >= 0; i = text.indexOf("&", i + 1)) {
    ENTITY.lastIndex = i;
    if (!ENTITY.test(text)) throw new Error(`bare '&' in ${where}: ${text.slice(i, i + 20)}`);
  }
}

/** A strict little well-formedness check: contiguous tokens, quoted attributes, valid entities, balanced tags. */
function expectWellFormedSvg(svg: string): void {
  const body = svg.replace(/^<\?xml[^?]*\?>\s*/, "");
  const token = /<(\/?)([A-Za-z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/y;
  const open: string[] = [];
  let roots = 0;
  let position = 0;
  while (position < body.length) {
    token.lastIndex = position;
    const match = token.exec(body);
    if (match === null)
      throw new Error(`malformed markup at ${position}: ${body.slice(position, position + 60)}`);
    position = token.lastIndex;
    const [, closing, name, attributes, selfClosing, text] = match;
    if (text !== undefined) {
      if (open.length === 0 && text.trim() !== "") throw new Error(`text outside the root: ${text}`);
      checkEntities(text, "text");
      continue;
    }
    checkEntities(attributes ?? "", `attributes of <${name}>`);
    if (closing === "/") {
      const expected = open.pop();
      if (expected !== name) throw new Error(`</${name}> closes <${expected}>`);
    } else {
      if (open.length === 0) roots++;
      if (selfClosing !== "/") open.push(name ?? "");
    }
  }
  expect(open).toEqual([]);
  expect(roots).toBe(1);
  expect(body.startsWith("<svg ")).toBe(true);
}

function polylinePointCounts(svg: string): number[] {
  return [...svg.matchAll(/<polyline points="([^"]*)"/g)].map((m) => (m[1] ?? "").split(" ").length);
}

describe("confusionMatrixSvg", () => {
  it("draws every count in its cell and names both axes", () => {
    const svg = confusionMatrixSvg(
      ["cat", "dog", "eel"],
      [
        [50, 3, 0],
        [7, 41, 2],
        [1, 0, 1234],
      ],
    );
    expectWellFormedSvg(svg);
    for (const count of [50, 3, 0, 7, 41, 2, 1, 1234]) expect(svg).toContain(`>${count}</text>`);
    expect(svg).toContain(">True label</text>");
    expect(svg).toContain(">Predicted label</text>");
  });

  it("shades by the share of the row, so a small class's diagonal is as dark as a large one's", () => {
    const svg = confusionMatrixSvg(
      ["a", "b"],
      [
        [1000, 0],
        [0, 3],
      ],
    );
    const fills = [
      ...svg.matchAll(/<rect x="[^"]*" y="[^"]*" width="[^"]*" height="[^"]*" fill="(#[0-9a-f]{6})">/g),
    ].map((m) => m[1]);
    expect(fills).toHaveLength(4);
    expect(fills[0]).toBe(fills[3]);
    expect(fills[1]).toBe(fills[2]);
    expect(fills[0]).not.toBe(fills[1]);
  });

  it("escapes label names in text and tooltips", () => {
    const svg = confusionMatrixSvg(
      [`<script>&"x"`, "b'c"],
      [
        [1, 2],
        [3, 4],
      ],
    );
    expectWellFormedSvg(svg);
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;&amp;&quot;x&quot;");
    expect(svg).toContain("b&apos;c");
  });

  it("truncates long label names with an ellipsis", () => {
    const long = "a-very-long-class-name-that-goes-on-and-on";
    const svg = confusionMatrixSvg(
      [long, "b"],
      [
        [1, 0],
        [0, 1],
      ],
    );
    expect(svg).toContain(">a-very-long-class-n…</text>");
    // The whole name stays available in the cell tooltip.
    expect(svg).toContain(`true ${long}, predicted b`);
  });

  it("handles hundreds of classes with a bounded size, dropping in-cell counts that cannot fit", () => {
    const n = 300;
    const labels = Array.from({ length: n }, (_, i) => `class_${i}`);
    const matrix = labels.map((_, i) => labels.map((__, j) => (i === j ? 90 : (i + j) % 3)));
    const svg = confusionMatrixSvg(labels, matrix);
    expectWellFormedSvg(svg);
    expect(svg).not.toContain(">90</text>");
    expect(svg).not.toContain("<title>true");
    expect(svg.length).toBeLessThan(6_000_000);
    const width = Number(/width="(\d+(?:\.\d+)?)"/.exec(svg)?.[1]);
    expect(width).toBeLessThan(1600);
  });

  it("rejects a matrix whose shape does not match the labels", () => {
    expect(() => confusionMatrixSvg(["a", "b"], [[1, 2]])).toThrow(FlowOpsError);
    expect(() => confusionMatrixSvg(["a"], [[Number.NaN]])).toThrow(/cell \[0\]\[0\]/);
  });
});

describe("rocCurveSvg", () => {
  it("draws one line per class, the chance diagonal and each AUC in the legend", () => {
    const svg = rocCurveSvg([
      { label: "a", fpr: [0, 0.1, 1], tpr: [0, 0.8, 1], auc: 0.85 },
      { label: "b&c", fpr: [0, 0.5, 1], tpr: [0, 0.6, 1], auc: 0.55 },
    ]);
    expectWellFormedSvg(svg);
    expect(polylinePointCounts(svg)).toEqual([3, 3]);
    expect(svg).toContain(">a (AUC = 0.850)</text>");
    expect(svg).toContain(">b&amp;c (AUC = 0.550)</text>");
    expect(svg).toContain("chance (AUC = 0.500)");
  });

  it("downsamples a curve with a million thresholds to at most 2000 points", () => {
    const n = 1_000_000;
    const fpr = Array.from({ length: n }, (_, i) => i / (n - 1));
    const tpr = fpr.map((x) => Math.sqrt(x));
    const svg = rocCurveSvg([{ label: "1", fpr, tpr, auc: 2 / 3 }]);
    expectWellFormedSvg(svg);
    const [count] = polylinePointCounts(svg);
    expect(count).toBeLessThanOrEqual(2000);
    expect(svg.length).toBeLessThan(100_000);
  });
});

describe("precisionRecallSvg", () => {
  it("draws the curve as steps and gives average precision in the legend", () => {
    const svg = precisionRecallSvg([
      { label: "pos", recall: [1, 0.5, 0.25], precision: [0.5, 0.8, 1], averagePrecision: 0.75 },
    ]);
    expectWellFormedSvg(svg);
    // Three points become five: each precision holds until the next recall.
    expect(polylinePointCounts(svg)).toEqual([5]);
    expect(svg).toContain(">pos (AP = 0.750)</text>");
  });
});

describe("perClassAccuracySvg", () => {
  it("draws one bar per class with its value", () => {
    const svg = perClassAccuracySvg([
      { label: "x<y", accuracy: 0.9 },
      { label: "z", accuracy: 0.25 },
    ]);
    expectWellFormedSvg(svg);
    expect(svg).toContain(">x&lt;y</text>");
    expect(svg).toContain(">0.900</text>");
    expect(svg).toContain(">0.250</text>");
  });

  it("stays well-formed for many classes and a missing value", () => {
    const perClass = Array.from({ length: 500 }, (_, i) => ({
      label: `c${i}`,
      accuracy: i === 7 ? Number.NaN : 0.5,
    }));
    const svg = perClassAccuracySvg(perClass);
    expectWellFormedSvg(svg);
    expect(svg).toContain("c7: n/a");
  });
});

describe("regression charts", () => {
  const actual = [1, 2, 3, 4, Number.NaN];
  const predicted = [1.5, 1.5, 3.5, 3, 2];

  it("plots predicted against actual with one mark per finite pair", () => {
    const svg = predictedVsActualSvg(actual, predicted);
    expectWellFormedSvg(svg);
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(svg).toContain(">Actual</text>");
    expect(svg).toContain(">Predicted</text>");
  });

  it("plots residuals against predicted with a zero line", () => {
    const svg = residualsSvg(actual, predicted);
    expectWellFormedSvg(svg);
    expect(svg.match(/<circle /g)).toHaveLength(4);
    expect(svg).toContain(">Residual (actual - predicted)</text>");
    expect(svg).toContain('stroke-dasharray="6 4"');
  });

  it("renders an empty sample as a chart that says there is no data", () => {
    expect(predictedVsActualSvg([], [])).toContain(">no finite values</text>");
  });

  it("rejects actual and predicted arrays of different lengths", () => {
    expect(() => residualsSvg([1, 2], [1])).toThrow(FlowOpsError);
  });
});
