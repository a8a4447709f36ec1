/**
 * `flowops monitor status [endpoint]`, `flowops monitor events` and `flowops monitor profile` (from
 * monitorProfile.ts): what the server's monitors say about each endpoint, read through
 * `/api/v1/monitoring`. Wiring only: the server evaluates; this prints. `status` exits 1 when an alert is
 * firing (so scripts can gate on it), 2 on bad usage or an error (main.ts), so "firing" and "could not
 * tell" differ.
 */
import { Command } from "commander";
import { HttpTransport } from "../client/http.js";
import type { MonitoringEvent } from "../monitoring/events/monitoringEventStore.js";
import type { EndpointMonitoringStatus } from "../server/routes/monitoringStatus.js";
import { monitorProfileCommand } from "./monitorProfile.js";
import { formatTable, formatTime, printJson, printTable } from "./output.js";
import { withTrackingOptions, type TrackingOptions } from "./trackingOptions.js";
import { nonNegativeInteger } from "./numberOptions.js";

const percent = (ratio: number | null): string =>
  ratio === null ? "-" : `${Number((ratio * 100).toPrecision(6))}%`;

const rate = (value: number | undefined): string =>
  value === undefined ? "-" : String(Number(value.toPrecision(3)));

/** The block `monitor status` prints for one endpoint. */
export function formatMonitoringStatus(status: EndpointMonitoringStatus): string {
  const lines = [`Endpoint: ${status.endpoint}${status.phase === undefined ? "" : ` (${status.phase})`}`];
  if (status.traffic.length > 0) {
    lines.push(
      `Traffic:  ${status.traffic.map((route) => `${route.model} ${route.weight}% (${route.role})`).join(", ")}`,
    );
  }
  if (status.drift === null) lines.push("Drift:    no window compared yet");
  else {
    const d = status.drift;
    const verdict = d.datasetDrift ? "DATASET DRIFT" : "no dataset drift";
    const columns = d.driftedColumns.length === 0 ? "" : `; drifted: ${d.driftedColumns.join(", ")}`;
    lines.push(
      `Drift:    ${verdict}, share ${rate(d.share)} over ${d.rows} rows at ${formatTime(d.windowEnd)}${columns}`,
    );
  }
  if (status.slos.length > 0) {
    const table = formatTable(
      ["SLO", "SLI", "BUDGET LEFT", "BURN 5m", "BURN 1h", "VALUE", "ALERTS"],
      status.slos.map((slo) => [
        slo.id,
        percent(slo.sli),
        percent(slo.budgetRemaining),
        rate(slo.burnRates["5m"]),
        rate(slo.burnRates["1h"]),
        slo.value === null ? "-" : rate(slo.value),
        slo.alerts.map((a) => `${a.name} ${a.firing ? "FIRING" : "pending"}`).join(", ") || "-",
      ]),
    );
    lines.push(...table.split("\n").map((line) => `  ${line}`));
  }
  return `${lines.join("\n")}\n`;
}

async function getJson<T>(opts: TrackingOptions, path: string): Promise<T> {
  const http = new HttpTransport(opts.trackingUri === undefined ? {} : { trackingUri: opts.trackingUri });
  const response = await http.send({ method: "GET", path });
  return (await response.json()) as T;
}

export function monitorCommand(): Command {
  const monitor = new Command("monitor").description(
    "Monitoring: SLOs, error budgets, alerts and drift per endpoint; reference profiles.",
  );

  monitor.addCommand(
    withTrackingOptions(
      new Command("status")
        .description(
          "SLOs (SLI, budget left, burn rates, alerts), latest drift and traffic; exits 1 when an alert " +
            "fires, 2 on an error.",
        )
        .argument("[endpoint]", "one endpoint (default: every monitored endpoint)"),
    ).action(async (endpoint: string | undefined, opts: TrackingOptions) => {
      const query = endpoint === undefined ? "" : `?endpoint=${encodeURIComponent(endpoint)}`;
      const body = await getJson<{ endpoints?: EndpointMonitoringStatus[] }>(
        opts,
        `/api/v1/monitoring/status${query}`,
      );
      const endpoints = body.endpoints ?? [];
      if (opts.json === true) printJson(endpoints);
      else if (endpoints.length === 0) process.stdout.write("No monitored endpoints.\n");
      else process.stdout.write(endpoints.map(formatMonitoringStatus).join("\n"));
      if (endpoints.some((e) => e.slos.some((slo) => slo.alerts.some((a) => a.firing)))) process.exitCode = 1;
    }),
  );

  monitor.addCommand(
    withTrackingOptions(
      new Command("events")
        .description("Monitoring events (SLO alerts firing and resolving), oldest first.")
        .option("--endpoint <name>", "only this endpoint's events")
        .option("--after-id <id>", "only events after this one", nonNegativeInteger)
        .option("--limit <n>", "at most this many (default 100, at most 1000)", nonNegativeInteger),
    ).action(async (opts: TrackingOptions & { endpoint?: string; afterId?: number; limit?: number }) => {
      const params = new URLSearchParams();
      if (opts.endpoint !== undefined) params.set("endpoint", opts.endpoint);
      if (opts.afterId !== undefined) params.set("after_id", String(opts.afterId));
      if (opts.limit !== undefined) params.set("limit", String(opts.limit));
      const query = params.toString();
      const body = await getJson<{ events?: MonitoringEvent[] }>(
        opts,
        `/api/v1/monitoring/events${query === "" ? "" : `?${query}`}`,
      );
      const events = body.events ?? [];
      if (opts.json === true) printJson(events);
      else {
        printTable(
          ["ID", "TIME", "ENDPOINT", "KIND", "SEVERITY", "ALERT"],
          events.map((event) => [
            String(event.id),
            formatTime(event.at),
            event.endpoint ?? "-",
            event.kind,
            event.severity,
            typeof event.details.alert === "string" ? event.details.alert : "",
          ]),
        );
      }
    }),
  );

  monitor.addCommand(monitorProfileCommand());
  return monitor;
}
