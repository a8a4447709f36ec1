/**
 * `flowops monitor profile models:/<name>/<version> --data <file>`: builds the reference profile of a model
 * version's training data here (buildProfile; the data never leaves this machine) and stores it on the server
 * with the version, which is what the server's drift monitor compares live windows with. Column names must be
 * the ones the drift monitor samples from requests: the signature's column names, or `<input>_<i>` for the
 * i-th feature of an unnamed 2-D input, and `prediction` for the model's answers when the file has them.
 * Exported as a subcommand; `flowops monitor` adds it.
 */
import { Command } from "commander";
import { FlowOpsError } from "../errors.js";
import { readDriftTable } from "../monitoring/drift/driftTableReader.js";
import { buildProfile } from "../monitoring/drift/referenceProfile.js";
import { modelVersionOfKey } from "../monitoring/online/modelKeyProfile.js";
import { openTable } from "../tables/openTable.js";
import { formatTable, printJson } from "./output.js";
import { clientFor } from "./trackingClient.js";
import { withTrackingOptions, type TrackingOptions } from "./trackingOptions.js";
import { positiveInteger } from "./numberOptions.js";
import { columnList } from "./columnListOption.js";

interface MonitorProfileOptions extends TrackingOptions {
  data: string;
  columns?: string[];
  categorical?: string[];
  sampleSize?: number;
}

export function monitorProfileCommand(): Command {
  return withTrackingOptions(
    new Command("profile")
      .description("store the reference profile of a model version's training data, for drift monitoring")
      .argument("<model-uri>", "the model version, models:/<name>/<version>")
      .requiredOption("--data <file>", "the training data (CSV, Parquet, JSON lines)")
      .option("--columns <a,b>", "columns to profile (default: all; leave out the label)", columnList)
      .option("--categorical <a,b>", "columns profiled as categories even when they hold numbers", columnList)
      .option("--sample-size <n>", "values kept per numeric column (default 10000)", positiveInteger),
  ).action(async (modelUri: string, options: MonitorProfileOptions) => {
    const version = modelVersionOfKey(modelUri);
    if (version === undefined) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `model URI '${modelUri}': expected models:/<name>/<version> (a profile belongs to one version)`,
      );
    }
    const table = await readDriftTable(openTable(options.data, { columns: options.columns }), {
      columns: options.columns,
      categorical: options.categorical,
    });
    const profile = buildProfile(table, { sampleSize: options.sampleSize });
    const stored = await clientFor(options).monitoring.putProfile({
      modelName: version.name,
      version: version.version,
      profile,
    });
    if (options.json === true) {
      printJson(stored);
      return;
    }
    process.stdout.write(
      `Stored the profile of ${modelUri}: ${profile.rows} rows from ${options.data}.\n` +
        `${formatTable(
          ["column", "kind"],
          stored.columns.map((column) => [column.name, column.kind]),
        )}\n`,
    );
  });
}
