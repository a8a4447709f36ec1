/**
 * Writes the plots of an evaluation report into a directory as `<name>.svg` and `<name>.png`, each through a
 * temp file and a rename so a reader (an artifact upload, a browser) never sees half a file. Which plots
 * exist depends on the task; the SVG builders themselves stay pure.
 */

import { writeFileAtomic } from "../../writeFileAtomic.js";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { EvaluationReport } from "../evaluation/evaluatePredictions.js";
import { confusionMatrixSvg } from "./confusionMatrixSvg.js";
import { precisionRecallSvg, rocCurveSvg } from "./curveCharts.js";
import { perClassAccuracySvg } from "./perClassAccuracySvg.js";
import { predictedVsActualSvg, residualsSvg } from "./regressionCharts.js";
import { svgToPng } from "./svgToPng.js";

export interface NamedPlot {
  readonly name: string;
  readonly svg: string;
}

/** The plots of a report, in the order they are written. */
export function evaluationPlotSvgs(report: EvaluationReport): NamedPlot[] {
  switch (report.task) {
    case "classification": {
      const plots: NamedPlot[] = [
        { name: "confusion_matrix", svg: confusionMatrixSvg(report.labels, report.confusionMatrix) },
      ];
      const roc = report.curves?.roc ?? [];
      if (roc.length > 0) plots.push({ name: "roc_curve", svg: rocCurveSvg(roc) });
      const pr = report.curves?.pr ?? [];
      if (pr.length > 0) plots.push({ name: "precision_recall_curve", svg: precisionRecallSvg(pr) });
      plots.push({ name: "per_class_accuracy", svg: perClassAccuracySvg(report.perClass) });
      return plots;
    }
    case "regression":
      return [
        {
          name: "predicted_vs_actual",
          svg: predictedVsActualSvg(report.sample.actual, report.sample.predicted),
        },
        { name: "residuals", svg: residualsSvg(report.sample.actual, report.sample.predicted) },
      ];
    default:
      return assertNever(report);
  }
}

function assertNever(value: never): never {
  throw new Error(`unexpected evaluation report ${JSON.stringify(value)}`);
}

/**
 * Writes each plot of `report` as `<dir>/<name>.svg` and `<dir>/<name>.png` (creating `dir`), and returns
 * the paths written, SVG before PNG for each plot.
 */
export async function writeEvaluationPlots(report: EvaluationReport, dir: string): Promise<string[]> {
  await mkdir(dir, { recursive: true });
  const paths: string[] = [];
  for (const plot of evaluationPlotSvgs(report)) {
    const svgPath = join(dir, `${plot.name}.svg`);
    const pngPath = join(dir, `${plot.name}.png`);
    await writeFileAtomic(svgPath, plot.svg);
    await writeFileAtomic(pngPath, await svgToPng(plot.svg));
    paths.push(svgPath, pngPath);
  }
  return paths;
}
