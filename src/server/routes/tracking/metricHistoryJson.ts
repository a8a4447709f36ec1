/**
 * The wire text of a get-history page, written point by point. A history runs to many thousands of points,
 * and JSON.stringify with toWireJson's replacer calls back for every field of every point; this writes the
 * same bytes toWireJson(withoutEmptyRepeated(page)) writes, which metricHistoryWire.test.ts pins.
 */
import type { MetricHistoryPage } from "../../../tracking/metricHistory.js";
import { isInt64 } from "../../../wireJson.js";

/** A number as toWireJson spells it: protobuf's non-finite strings, int64 integers with all their digits. */
function wireNumber(value: number | bigint): string {
  if (typeof value === "bigint") return value.toString();
  if (Number.isSafeInteger(value)) return String(value);
  if (!Number.isFinite(value))
    return Number.isNaN(value) ? '"NaN"' : value > 0 ? '"Infinity"' : '"-Infinity"';
  // String(x) is JSON.stringify's spelling of every finite double (-0 included, written 0).
  return isInt64(value) ? BigInt(value).toString() : String(value);
}

export function metricHistoryPageJson(page: MetricHistoryPage): string {
  const parts: string[] = [];
  const { metrics } = page;
  if (metrics.length > 0) {
    // Every point of a history shares its key, so its quoted spelling is worked out once.
    let lastKey: string | undefined;
    let keyPrefix = "";
    const points = new Array<string>(metrics.length);
    for (let i = 0; i < metrics.length; i += 1) {
      const metric = metrics[i] as (typeof metrics)[number];
      if (metric.key !== lastKey) {
        lastKey = metric.key;
        keyPrefix = `{"key":${JSON.stringify(metric.key)},"value":`;
      }
      points[i] =
        `${keyPrefix}${wireNumber(metric.value)},"timestamp":${wireNumber(metric.timestamp)},` +
        `"step":${wireNumber(metric.step)}}`;
    }
    parts.push(`"metrics":[${points.join(",")}]`);
  }
  if (page.next_page_token !== undefined) {
    parts.push(`"next_page_token":${JSON.stringify(page.next_page_token)}`);
  }
  return `{${parts.join(",")}}`;
}
