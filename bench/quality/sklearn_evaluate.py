"""The scikit-learn anchor of bench/quality: what `flowops evaluate` reports, computed the way a Python user
would, with pandas.read_csv and sklearn.metrics on the same predictions CSV. Prints one JSON object on stdout
(the headline metrics and the confusion matrix) so the runner can compare the two tools' numbers.

    sklearn_evaluate.py PREDICTIONS.csv --y-score p_cat,p_dog,p_fox [--pos-label yes] [--label-codes]

With --label-codes the labels are turned into integer codes before scoring, which is how a user who noticed
the cost of string labels would call scikit-learn; the runner times both ways.
"""

import argparse
import json

import numpy as np
import pandas as pd
from sklearn import metrics


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--y-true", default="y_true")
    parser.add_argument("--y-pred", default="y_pred")
    parser.add_argument("--y-score", required=True)
    parser.add_argument("--pos-label")
    parser.add_argument(
        "--label-codes",
        action="store_true",
        help="map the string labels to integer codes first (scikit-learn's np.unique on strings is slow)",
    )
    args = parser.parse_args()
    score_columns = args.y_score.split(",")

    frame = pd.read_csv(args.data, usecols=[args.y_true, args.y_pred, *score_columns])
    y_true = frame[args.y_true].to_numpy()
    y_pred = frame[args.y_pred].to_numpy()
    labels = np.unique(np.concatenate([np.unique(y_true), np.unique(y_pred)]))
    if args.label_codes:
        # Codes in sorted label order, so every metric (and the class order of the scores) is unchanged.
        y_true = pd.Categorical(y_true, categories=labels).codes.astype(np.int64)
        y_pred = pd.Categorical(y_pred, categories=labels).codes.astype(np.int64)
        names = labels
        labels = np.arange(len(names))
    else:
        names = labels
    scores = frame[score_columns].to_numpy(dtype=np.float64)

    out = {
        "rows": int(len(frame)),
        "accuracy": metrics.accuracy_score(y_true, y_pred),
        "balanced_accuracy": metrics.balanced_accuracy_score(y_true, y_pred),
    }
    for average in ("macro", "micro", "weighted"):
        precision, recall, f1, _ = metrics.precision_recall_fscore_support(
            y_true, y_pred, average=average, zero_division=0
        )
        out[f"precision_{average}"] = precision
        out[f"recall_{average}"] = recall
        out[f"f1_{average}"] = f1
    # Per class, as the report's table (flowops computes it in the same pass).
    per_class = metrics.precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    out["per_class_f1"] = dict(zip(names.tolist(), per_class[2].tolist()))
    if len(score_columns) == 1:
        pos_label = labels[-1] if args.pos_label is None else labels[names.tolist().index(args.pos_label)]
        precision, recall, f1, _ = metrics.precision_recall_fscore_support(
            y_true, y_pred, average="binary", pos_label=pos_label, zero_division=0
        )
        out.update(precision=precision, recall=recall, f1=f1)
        out["roc_auc"] = metrics.roc_auc_score(y_true, scores[:, 0])
        out["average_precision"] = metrics.average_precision_score(y_true, scores[:, 0], pos_label=labels[-1])
        out["log_loss"] = metrics.log_loss(y_true, scores[:, 0], labels=labels)
    else:
        out["roc_auc_ovr_macro"] = metrics.roc_auc_score(y_true, scores, multi_class="ovr", average="macro")
        out["roc_auc_ovr_weighted"] = metrics.roc_auc_score(
            y_true, scores, multi_class="ovr", average="weighted"
        )
        out["log_loss"] = metrics.log_loss(y_true, scores, labels=labels)
    out["confusion_matrix"] = metrics.confusion_matrix(y_true, y_pred, labels=labels).tolist()
    print(json.dumps({k: (float(v) if isinstance(v, np.floating) else v) for k, v in out.items()}))


if __name__ == "__main__":
    main()
