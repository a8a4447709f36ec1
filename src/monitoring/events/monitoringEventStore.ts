/**
 * The monitoring event log (table `monitoring_events`): SLO alerts firing and resolving, per endpoint.
 * Returns domain objects, never rows; readers page with `afterId` because two events can share a millisecond.
 */
import type { MetadataDb } from "../../db/connect.js";
import type { MonitoringEventTable } from "../../db/schema.js";
import { FlowOpsError } from "../../errors.js";

export type MonitoringSeverity = "page" | "ticket" | "info";

export interface MonitoringEventInput {
  /** The endpoint the event concerns; omitted for server-wide events. */
  endpoint?: string;
  /** `slo_alert_firing`, `slo_alert_resolved`, ... */
  kind: string;
  severity: MonitoringSeverity;
  at: number;
  details: Record<string, unknown>;
}

export interface MonitoringEvent extends MonitoringEventInput {
  id: number;
}

export interface MonitoringEventQuery {
  endpoint?: string;
  afterId?: number;
  /** 100 by default, at most 1000. */
  limit?: number;
}

export const DEFAULT_EVENT_LIMIT = 100;
export const MAX_EVENT_LIMIT = 1000;

/** What the SLO monitor needs of the log: appending. */
export interface MonitoringEventSink {
  add(event: MonitoringEventInput): Promise<MonitoringEvent>;
}

export class MonitoringEventStore implements MonitoringEventSink {
  constructor(private readonly meta: MetadataDb) {}

  async add(event: MonitoringEventInput): Promise<MonitoringEvent> {
    const row = await this.meta.db
      .insertInto("monitoring_events")
      .values({
        endpoint: event.endpoint ?? null,
        kind: event.kind,
        severity: event.severity,
        at: event.at,
        details_json: JSON.stringify(event.details),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { ...event, id: Number(row.id) };
  }

  /** Events oldest first, of one endpoint or of all. */
  async list(query: MonitoringEventQuery = {}): Promise<MonitoringEvent[]> {
    const limit = query.limit ?? DEFAULT_EVENT_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_EVENT_LIMIT) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `limit must be an integer between 1 and ${MAX_EVENT_LIMIT}, got ${limit}.`,
      );
    }
    let select = this.meta.db.selectFrom("monitoring_events").selectAll();
    if (query.endpoint !== undefined) select = select.where("endpoint", "=", query.endpoint);
    if (query.afterId !== undefined) {
      if (!Number.isInteger(query.afterId)) {
        throw new FlowOpsError(
          "INVALID_PARAMETER_VALUE",
          `after_id must be an integer, got ${query.afterId}.`,
        );
      }
      select = select.where("id", ">", query.afterId);
    }
    const rows = await select.orderBy("id").limit(limit).execute();
    return rows.map(toEvent);
  }
}

function toEvent(row: {
  [K in keyof MonitoringEventTable]: K extends "id" ? number : MonitoringEventTable[K];
}): MonitoringEvent {
  return {
    id: Number(row.id),
    ...(row.endpoint === null ? {} : { endpoint: row.endpoint }),
    kind: row.kind,
    severity: row.severity as MonitoringSeverity,
    at: Number(row.at),
    details: JSON.parse(row.details_json) as Record<string, unknown>,
  };
}
