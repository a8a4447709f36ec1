/**
 * Drift reports of closed monitoring windows (`drift_reports`), one row per endpoint window, read newest
 * first or paged by id. The full DriftReport is kept as JSON; share and verdict are columns too so a status
 * page does not parse every report.
 */
import type { MetadataDb } from "../../db/connect.js";
import type { DriftReport } from "../drift/datasetDrift.js";

export interface NewDriftReport {
  readonly endpoint: string;
  /** The model key whose answers the window holds, e.g. `models:/churn/3`. */
  readonly model: string;
  readonly windowStart: number;
  readonly windowEnd: number;
  readonly rows: number;
  readonly report: DriftReport;
}

export interface StoredDriftReport extends NewDriftReport {
  readonly id: number;
}

export interface DriftReportListOptions {
  /** Most reports returned (default 100). */
  limit?: number | undefined;
  /** Only reports with a larger id, oldest first (for following new windows); newest first otherwise. */
  afterId?: number | undefined;
}

export class DriftReportStore {
  constructor(private readonly meta: MetadataDb) {}

  async add(row: NewDriftReport): Promise<StoredDriftReport> {
    const inserted = await this.meta.db
      .insertInto("drift_reports")
      .values({
        endpoint: row.endpoint,
        model: row.model,
        window_start: row.windowStart,
        window_end: row.windowEnd,
        rows: row.rows,
        share: row.report.share,
        dataset_drift: row.report.datasetDrift ? 1 : 0,
        report_json: JSON.stringify(row.report),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    return { ...row, id: Number(inserted.id) };
  }

  async list(endpoint: string, options: DriftReportListOptions = {}): Promise<StoredDriftReport[]> {
    let query = this.meta.db
      .selectFrom("drift_reports")
      .selectAll()
      .where("endpoint", "=", endpoint)
      .limit(options.limit ?? 100);
    query =
      options.afterId === undefined
        ? query.orderBy("id", "desc")
        : query.where("id", ">", options.afterId).orderBy("id", "asc");
    const rows = await query.execute();
    return rows.map((row) => ({
      id: Number(row.id),
      endpoint: row.endpoint,
      model: row.model,
      windowStart: row.window_start,
      windowEnd: row.window_end,
      rows: row.rows,
      report: JSON.parse(row.report_json) as DriftReport,
    }));
  }

  async latest(endpoint: string): Promise<StoredDriftReport | undefined> {
    return (await this.list(endpoint, { limit: 1 }))[0];
  }
}
