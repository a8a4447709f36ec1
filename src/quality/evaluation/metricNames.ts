/**
 * The metric names an evaluation report can hold in `metrics` (and that the CLI logs to MLflow and gates
 * can test), with what each one is. Which names appear depends on the task, the label count and whether
 * score columns were given.
 */

export interface EvaluationMetricName {
  name: string;
  task: "classification" | "regression";
  description: string;
}

export const EVALUATION_METRICS: readonly EvaluationMetricName[] = [
  { name: "accuracy", task: "classification", description: "share of rows whose prediction equals y_true" },
  {
    name: "balanced_accuracy",
    task: "classification",
    description: "mean recall over the labels present in y_true",
  },
  ...(["precision", "recall", "f1"] as const).flatMap((metric) =>
    (["macro", "micro", "weighted"] as const).map((average) => ({
      name: `${metric}_${average}`,
      task: "classification" as const,
      description: `${metric}, ${average} average over the labels of y_true and y_pred`,
    })),
  ),
  { name: "precision", task: "classification", description: "precision of posLabel (two labels or fewer)" },
  { name: "recall", task: "classification", description: "recall of posLabel (two labels or fewer)" },
  { name: "f1", task: "classification", description: "F1 of posLabel (two labels or fewer)" },
  { name: "log_loss", task: "classification", description: "cross-entropy of y_score (needs y_score)" },
  {
    name: "roc_auc",
    task: "classification",
    description: "ROC AUC of the greater label of y_true (binary, needs y_score)",
  },
  {
    name: "average_precision",
    task: "classification",
    description: "average precision of the greater label of y_true (binary, needs y_score)",
  },
  {
    name: "roc_auc_ovr_macro",
    task: "classification",
    description: "one-vs-rest ROC AUC, unweighted mean over classes (multiclass, needs y_score)",
  },
  {
    name: "roc_auc_ovr_weighted",
    task: "classification",
    description: "one-vs-rest ROC AUC weighted by class prevalence (multiclass, needs y_score)",
  },
  { name: "mae", task: "regression", description: "mean absolute error" },
  { name: "mse", task: "regression", description: "mean squared error" },
  { name: "rmse", task: "regression", description: "root mean squared error" },
  { name: "r2", task: "regression", description: "coefficient of determination (force_finite)" },
  {
    name: "mape",
    task: "regression",
    description: "mean absolute percentage error as a fraction, |y| floored at float64 eps",
  },
  { name: "median_absolute_error", task: "regression", description: "exact median of |y_pred - y_true|" },
];

export const CLASSIFICATION_METRIC_NAMES: readonly string[] = EVALUATION_METRICS.filter(
  (m) => m.task === "classification",
).map((m) => m.name);

export const REGRESSION_METRIC_NAMES: readonly string[] = EVALUATION_METRICS.filter(
  (m) => m.task === "regression",
).map((m) => m.name);
