/**
 * The quickstart's quality stage (`node --import tsx evaluate.ts`, after `train` in dvc.yaml): the data checked
 * against suite.yaml, the held-out predictions evaluated, and the selection rates of the two customer groups
 * compared (Fairlearn's definitions). Writes quality.json (a DVC metrics file) and, inside a tracked repro
 * (MLFLOW_RUN_ID set), logs the same results into the stage's run, where the gate policy finds them.
 */
import { writeFile } from "node:fs/promises";
import { evaluatePredictions } from "../../src/quality/evaluation/evaluatePredictions.js";
import { assessFairness } from "../../src/quality/fairness/assessFairness.js";
import { logQualityResults, qualityRunFor } from "../../src/quality/qualityRun.js";
import { loadExpectationSuite } from "../../src/quality/validation/expectationSuite.js";
import { validateTable } from "../../src/quality/validation/validateTable.js";
import { openTable } from "../../src/tables/openTable.js";

async function main(): Promise<void> {
  const validation = await validateTable(
    openTable("data/customers.csv"),
    await loadExpectationSuite("suite.yaml"),
  );
  const evaluation = await evaluatePredictions(openTable("predictions.csv"), {
    task: "classification",
    yTrue: "churn",
    yPred: "pred",
    yScore: ["p_churn"],
    posLabel: "1",
  });
  const fairness = await assessFairness(
    openTable("predictions.csv", { columns: ["churn", "pred", "group"] }),
    {
      yTrue: "churn",
      yPred: "pred",
      sensitive: ["group"],
      posLabel: "1",
    },
  );
  const validationMetrics = {
    validation_evaluated_expectations: validation.statistics.evaluated_expectations,
    validation_successful_expectations: validation.statistics.successful_expectations,
    validation_unsuccessful_expectations: validation.statistics.unsuccessful_expectations,
  };
  const summary = {
    ...validationMetrics,
    accuracy: evaluation.metrics.accuracy,
    f1_macro: evaluation.metrics.f1_macro,
    roc_auc: evaluation.metrics.roc_auc,
    demographic_parity_ratio: fairness.metrics.demographic_parity_ratio,
    equalized_odds_ratio: fairness.metrics.equalized_odds_ratio,
  };
  await writeFile("quality.json", `${JSON.stringify(summary, null, 2)}\n`);

  const run = qualityRunFor({});
  if (run !== undefined) {
    await logQualityResults(run, {
      metrics: validationMetrics,
      report: { name: "validation", value: validation },
    });
    await logQualityResults(run, {
      metrics: evaluation.metrics,
      report: { name: "evaluation", value: evaluation },
    });
    await logQualityResults(run, {
      metrics: { ...fairness.metrics },
      report: { name: "fairness", value: fairness },
    });
  }
  process.stdout.write(
    `expectations ${validation.success ? "all pass" : "FAIL"}, accuracy ${summary.accuracy?.toFixed(3)}, ` +
      `demographic parity ratio ${summary.demographic_parity_ratio.toFixed(3)}\n`,
  );
}

await main();
