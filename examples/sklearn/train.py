"""Trains a churn classifier with scikit-learn and records it on a FlowOps (or MLflow) tracking server with
the official mlflow client: parameters, test metrics, the training data as a dataset input, and the model,
registered under one name with the alias "champion" pointing at the new version.

    python train.py --tracking-uri http://127.0.0.1:5000

The data are synthetic (sklearn.datasets.make_classification), so the example needs no download. Nothing
here is FlowOps-specific: the same script runs against `mlflow server`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import mlflow
import mlflow.data
import mlflow.sklearn
import pandas as pd
from mlflow import MlflowClient
from mlflow.models import infer_signature
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

FEATURES = ["tenure_months", "monthly_charges", "support_calls", "contract_length", "late_payments", "usage_drop"]
TARGET = "churned"
ALIAS = "champion"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--tracking-uri",
        default=os.environ.get("MLFLOW_TRACKING_URI", "http://127.0.0.1:5000"),
        help="tracking server (default $MLFLOW_TRACKING_URI, then http://127.0.0.1:5000)",
    )
    parser.add_argument("--model-name", default="sklearn-churn", help="registered model name (default sklearn-churn)")
    parser.add_argument("--experiment", default="sklearn-churn", help="experiment name (default sklearn-churn)")
    parser.add_argument("--seed", type=int, default=42, help="seed of the data and the split (default 42)")
    parser.add_argument("--samples", type=int, default=2000, help="customers to generate (default 2000)")
    parser.add_argument("--C", type=float, default=1.0, help="inverse regularisation strength (default 1.0)")
    return parser.parse_args(argv)


def make_customers(samples: int, seed: int) -> pd.DataFrame:
    """A churn-shaped binary problem: named numeric features and a 0/1 `churned` column."""
    features, target = make_classification(
        n_samples=samples,
        n_features=len(FEATURES),
        n_informative=4,
        n_redundant=1,
        weights=[0.75, 0.25],
        class_sep=1.5,
        random_state=seed,
    )
    frame = pd.DataFrame(features, columns=FEATURES)
    frame[TARGET] = target
    return frame


def log_model_kwargs() -> dict:
    # MLflow 3 names a logged model with `name`; 2.x only knows `artifact_path`.
    major = int(mlflow.__version__.split(".")[0])
    return {"name": "model"} if major >= 3 else {"artifact_path": "model"}


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    mlflow.set_tracking_uri(args.tracking_uri)
    mlflow.set_registry_uri(args.tracking_uri)
    mlflow.set_experiment(args.experiment)

    customers = make_customers(args.samples, args.seed)
    train, test = train_test_split(customers, test_size=0.25, random_state=args.seed, stratify=customers[TARGET])
    x_train, y_train = train[FEATURES], train[TARGET]
    x_test, y_test = test[FEATURES], test[TARGET]

    params = {"C": args.C, "max_iter": 1000, "solver": "lbfgs"}
    pipeline = Pipeline(
        [("scale", StandardScaler()), ("classify", LogisticRegression(random_state=args.seed, **params))]
    )

    with mlflow.start_run(run_name="logreg") as run:
        mlflow.log_params({**params, "seed": args.seed, "samples": args.samples, "features": len(FEATURES)})
        dataset = mlflow.data.from_pandas(train, targets=TARGET, name="customers-train")
        mlflow.log_input(dataset, context="training")

        pipeline.fit(x_train, y_train)
        predicted = pipeline.predict(x_test)
        metrics = {
            "accuracy": accuracy_score(y_test, predicted),
            "roc_auc": roc_auc_score(y_test, pipeline.predict_proba(x_test)[:, 1]),
            "f1": f1_score(y_test, predicted),
        }
        mlflow.log_metrics(metrics)

        signature = infer_signature(x_train, pipeline.predict(x_train))
        info = mlflow.sklearn.log_model(
            pipeline,
            registered_model_name=args.model_name,
            signature=signature,
            input_example=x_train.head(3),
            **log_model_kwargs(),
        )

    version = str(info.registered_model_version)
    MlflowClient(tracking_uri=args.tracking_uri, registry_uri=args.tracking_uri).set_registered_model_alias(
        args.model_name, ALIAS, version
    )
    summary = {
        "run_id": run.info.run_id,
        "model_uri": f"models:/{args.model_name}@{ALIAS}",
        "version": version,
        "metrics": metrics,
    }
    print(json.dumps(summary))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
