"""The Great Expectations anchor of bench/quality: the 20-expectation suite of recordsData.ts, written with
GX 1.x's expectation classes in the same order, run on the same CSV through an ephemeral context and a
pandas data source (which reads the CSV with pandas.read_csv). Prints one JSON object on stdout: the row
count and each expectation's verdict, so the runner can compare them with `flowops validate`.

    gx_validate.py RECORDS.csv
"""

import argparse
import json
import logging

import great_expectations as gx
import great_expectations.expectations as gxe

COLUMNS = ["id", "email", "age", "income", "country", "plan", "signup_ts", "is_active", "score"]
COUNTRIES = ["US", "DE", "FR", "GB", "JP", "BR", "IN"]
PLANS = ["free", "pro", "team"]


def suite_expectations() -> list:
    # Same order and kwargs as RECORD_SUITE in recordsData.ts; FlowOps' type_ "int" is pandas' int64 here.
    return [
        gxe.ExpectTableRowCountToBeBetween(min_value=1, max_value=100_000_000),
        gxe.ExpectTableColumnsToMatchOrderedList(column_list=COLUMNS),
        gxe.ExpectColumnValuesToBeUnique(column="id"),
        gxe.ExpectColumnValuesToNotBeNull(column="id"),
        gxe.ExpectColumnValuesToBeOfType(column="id", type_="int64"),
        gxe.ExpectColumnValuesToMatchRegex(column="email", regex=r"^[a-z0-9.]+@[a-z]+\.[a-z]+$", mostly=0.999),
        gxe.ExpectColumnValueLengthsToBeBetween(column="email", min_value=5, max_value=40),
        gxe.ExpectColumnValuesToNotBeNull(column="age", mostly=0.98),
        gxe.ExpectColumnValuesToNotBeNull(column="age", mostly=0.995),
        gxe.ExpectColumnValuesToBeBetween(column="age", min_value=18, max_value=90),
        gxe.ExpectColumnMeanToBeBetween(column="age", min_value=40, max_value=70),
        gxe.ExpectColumnValuesToBeBetween(column="income", min_value=0, max_value=1_000_000),
        gxe.ExpectColumnMedianToBeBetween(column="income", min_value=15_000, max_value=30_000),
        gxe.ExpectColumnStdevToBeBetween(column="income", min_value=1_000, max_value=100_000),
        gxe.ExpectColumnValuesToBeInSet(column="country", value_set=COUNTRIES),
        gxe.ExpectColumnValuesToBeInSet(column="plan", value_set=PLANS),
        gxe.ExpectColumnValuesToMatchRegex(column="signup_ts", regex=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"),
        gxe.ExpectColumnValuesToBeOfType(column="is_active", type_="bool"),
        gxe.ExpectColumnValuesToBeBetween(column="score", min_value=0, max_value=1),
        gxe.ExpectColumnMeanToBeBetween(column="score", min_value=0.45, max_value=0.55),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    args = parser.parse_args()
    logging.getLogger("great_expectations").setLevel(logging.ERROR)

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = gx.data_context.types.base.ProgressBarsConfig(globally=False)
    asset = context.data_sources.add_pandas("bench").add_csv_asset("records", filepath_or_buffer=args.data)
    batch_definition = asset.add_batch_definition("whole file")
    suite = context.suites.add(gx.ExpectationSuite(name="bench-records", expectations=suite_expectations()))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name="bench", data=batch_definition, suite=suite)
    )
    result = definition.run()

    # GX keeps the suite's order in results; the expectations' configs name each one for the report.
    verdicts = [
        {
            "type": r.expectation_config.type,
            "column": r.expectation_config.kwargs.get("column"),
            "success": bool(r.success),
            "observed_value": r.result.get("observed_value"),
            "unexpected_count": r.result.get("unexpected_count"),
            "exception": r.exception_info.get("exception_message")
            if r.exception_info.get("raised_exception")
            else None,
        }
        for r in result.results
    ]
    print(
        json.dumps(
            {
                "success": bool(result.success),
                "evaluated": result.statistics["evaluated_expectations"],
                "unsuccessful": result.statistics["unsuccessful_expectations"],
                "results": verdicts,
            },
            default=str,
        )
    )


if __name__ == "__main__":
    main()
