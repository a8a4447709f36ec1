/** `flowops runs ls|show|compare`. */
import { Command, Option } from "commander";
import { compareRuns } from "../tracking/compareRuns.js";
import type { Run } from "../tracking/entities.js";
import { formatTime, printJson, printTable } from "./output.js";
import { clientFor } from "./trackingClient.js";
import { withTrackingOptions, type TrackingOptions } from "./trackingOptions.js";
import { positiveInteger } from "./numberOptions.js";

function metricSummary(run: Run): string {
  return run.data.metrics
    .slice(0, 4)
    .map((m) => `${m.key}=${Number.isInteger(m.value) ? m.value : m.value.toPrecision(4)}`)
    .join(" ");
}

export function runsCommand(): Command {
  const command = new Command("runs").description("List, show and compare runs.");
  command.addCommand(
    withTrackingOptions(new Command("ls"))
      .description("List runs of one or more experiments (newest first unless --order-by).")
      .requiredOption("-e, --experiment-id <ids...>", "experiment ids")
      .option("--filter <filter>", "MLflow search filter, e.g. \"metrics.acc > 0.9 AND params.lr = '0.1'\"")
      .option("--order-by <clauses...>", "e.g. 'metrics.acc DESC'")
      .addOption(new Option("--max-results <n>", "page size").default(100).argParser(positiveInteger))
      .action(
        async (
          opts: TrackingOptions & {
            experimentId: string[];
            filter?: string;
            orderBy?: string[];
            maxResults: number;
          },
        ) => {
          const page = await clientFor(opts).runs.search({
            experimentIds: opts.experimentId,
            maxResults: opts.maxResults,
            ...(opts.filter !== undefined ? { filter: opts.filter } : {}),
            ...(opts.orderBy !== undefined ? { orderBy: opts.orderBy } : {}),
          });
          if (opts.json) return printJson({ runs: page.items, next_page_token: page.nextPageToken });
          printTable(
            ["RUN ID", "NAME", "STATUS", "STARTED", "METRICS"],
            page.items.map((r) => [
              r.info.run_id,
              r.info.run_name,
              r.info.status,
              formatTime(Number(r.info.start_time)),
              metricSummary(r),
            ]),
          );
          if (page.nextPageToken !== undefined)
            process.stdout.write(`(more: narrow with --filter or raise --max-results)\n`);
        },
      ),
  );
  command.addCommand(
    withTrackingOptions(new Command("show"))
      .description("Show one run: info, params, latest metrics, tags and inputs.")
      .argument("<run-id>")
      .action(async (runId: string, opts: TrackingOptions) => {
        const run = await clientFor(opts).runs.get(runId);
        if (opts.json) return printJson(run);
        const { info, data } = run;
        process.stdout.write(
          `run ${info.run_id} (${info.run_name})\n  experiment ${info.experiment_id}, ${info.status}, started ${formatTime(Number(info.start_time))}` +
            `${info.end_time !== undefined ? `, ended ${formatTime(Number(info.end_time))}` : ""}\n  artifacts ${info.artifact_uri}\n\n`,
        );
        printTable(
          ["KIND", "KEY", "VALUE"],
          [
            ...data.params.map((p) => ["param", p.key, p.value]),
            ...data.metrics.map((m) => ["metric", m.key, `${m.value} (step ${m.step})`]),
            ...data.tags.filter((t) => !t.key.startsWith("mlflow.")).map((t) => ["tag", t.key, t.value]),
            ...run.inputs.dataset_inputs.map((d) => ["dataset", d.dataset.name, d.dataset.digest]),
          ],
        );
      }),
  );
  command.addCommand(
    withTrackingOptions(new Command("compare"))
      .description("Compare params and latest metrics of two or more runs side by side.")
      .argument("<run-ids...>")
      .option("--diff-only", "show only keys whose values differ", false)
      .action(async (runIds: string[], opts: TrackingOptions & { diffOnly: boolean }) => {
        const client = clientFor(opts);
        const runs = await Promise.all(runIds.map((id) => client.runs.get(id)));
        const rows = compareRuns(runs).filter((r) => !opts.diffOnly || r.differs);
        if (opts.json) return printJson({ run_ids: runIds, rows });
        printTable(
          ["KIND", "KEY", ...runs.map((r) => r.info.run_name || r.info.run_id.slice(0, 8)), ""],
          rows.map((r) => [
            r.kind,
            r.key,
            ...r.values.map((v) => (v === undefined ? "-" : String(v))),
            r.differs ? "*" : "",
          ]),
        );
      }),
  );
  return command;
}
