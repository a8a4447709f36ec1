import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FlowOpsError } from "../../errors.js";
import type { ClassificationReport, RegressionReport } from "../evaluation/evaluatePredictions.js";
import { writeEvaluationPlots } from "./evaluationPlots.js";
import { svgToPng } from "./svgToPng.js";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Width and height from the PNG IHDR chunk, which always comes first. */
function pngSize(png: Buffer): { width: number; height: number } {
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function svgSize(svg: string): { width: number; height: number } {
  const match = /<svg [^>]*width="(\d+)" height="(\d+)"/.exec(svg);
  return { width: Number(match?.[1]), height: Number(match?.[2]) };
}

const classification: ClassificationReport = {
  task: "classification",
  rows: 10,
  labels: ["no", "yes"],
  metrics: { accuracy: 0.8 },
  perClass: [
    { label: "no", precision: 0.8, recall: 0.8, f1: 0.8, support: 5, accuracy: 0.8 },
    { label: "yes", precision: 0.8, recall: 0.8, f1: 0.8, support: 5, accuracy: 0.8 },
  ],
  confusionMatrix: [
    [4, 1],
    [1, 4],
  ],
  curves: {
    roc: [{ label: "yes", fpr: [0, 0.2, 1], tpr: [0, 0.8, 1], auc: 0.8 }],
    pr: [{ label: "yes", recall: [1, 0.8, 0], precision: [0.5, 0.8, 1], averagePrecision: 0.82 }],
  },
  warnings: [],
};

const regression: RegressionReport = {
  task: "regression",
  rows: 4,
  metrics: { mae: 0.5 },
  sample: { actual: [1, 2, 3, 4], predicted: [1.5, 1.5, 3.5, 4.5] },
  warnings: [],
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "flowops-plots-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("writeEvaluationPlots", () => {
  it("writes SVG and PNG for each classification plot and returns their paths in order", async () => {
    const out = join(dir, "plots");
    const paths = await writeEvaluationPlots(classification, out);
    const names = ["confusion_matrix", "roc_curve", "precision_recall_curve", "per_class_accuracy"];
    expect(paths).toEqual(names.flatMap((name) => [join(out, `${name}.svg`), join(out, `${name}.png`)]));
    expect((await readdir(out)).sort()).toEqual(paths.map((p) => p.slice(out.length + 1)).sort());
    for (const name of names) {
      const svg = await readFile(join(out, `${name}.svg`), "utf8");
      const png = await readFile(join(out, `${name}.png`));
      expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
      expect(pngSize(png)).toEqual(svgSize(svg));
    }
  });

  it("leaves out the curve plots when the report has no curves", async () => {
    const { curves: _curves, ...withoutCurves } = classification;
    const paths = await writeEvaluationPlots(withoutCurves, dir);
    expect(paths.map((p) => p.slice(dir.length + 1))).toEqual([
      "confusion_matrix.svg",
      "confusion_matrix.png",
      "per_class_accuracy.svg",
      "per_class_accuracy.png",
    ]);
  });

  it("writes predicted-vs-actual and residual plots for a regression report", async () => {
    const paths = await writeEvaluationPlots(regression, dir);
    expect(paths.map((p) => p.slice(dir.length + 1))).toEqual([
      "predicted_vs_actual.svg",
      "predicted_vs_actual.png",
      "residuals.svg",
      "residuals.png",
    ]);
    const png = await readFile(join(dir, "residuals.png"));
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
  });

  it("replaces plots from an earlier run without leaving temp files", async () => {
    await writeEvaluationPlots(regression, dir);
    await writeEvaluationPlots({ ...regression, sample: { actual: [5, 6], predicted: [5, 7] } }, dir);
    const files = await readdir(dir);
    expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(await readFile(join(dir, "residuals.svg"), "utf8")).toMatch(
      /<circle [^>]*\/><circle [^>]*\/><\/g>/,
    );
  });
});

describe("svgToPng", () => {
  it("renders text with escaped labels at the SVG's size", async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40">' +
      '<text x="4" y="24" font-family="DejaVu Sans">a &amp; &lt;b&gt;</text></svg>';
    const png = await svgToPng(svg);
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    expect(pngSize(png)).toEqual({ width: 120, height: 40 });
  });

  it("rejects malformed SVG with an error that says the plot could not be rendered", async () => {
    await expect(
      svgToPng('<svg xmlns="http://www.w3.org/2000/svg"><text>a & b</text></svg>'),
    ).rejects.toThrow(FlowOpsError);
  });
});
