/**
 * Byte ranges read as Starlette 1.x's `FileResponse` reads them, which is how MLflow 3.17's FastAPI proxy
 * download (`GET /api/2.0/mlflow-artifacts/artifacts/<path>` of a local destination) answers: several
 * ranges are merged and sent as multipart/byteranges, a malformed header is a 400 with a plain-text reason,
 * a start past the end is a 416. It has no 304: Starlette never reads If-None-Match or If-Modified-Since.
 */

/** `end` is exclusive. */
export interface ByteRange {
  start: number;
  end: number;
}

export type StarletteRangeAnswer =
  | { kind: "whole" }
  | { kind: "ranges"; ranges: ByteRange[] }
  | { kind: "malformed"; reason: string }
  | { kind: "unsatisfiable" };

const MAX_RANGES = 100;

export function decideStarletteRange(
  headers: { range?: string | undefined; ifRange?: string | undefined },
  file: { etagHeader: string; lastModifiedHeader: string; size: number },
): StarletteRangeAnswer {
  if (headers.range === undefined) return { kind: "whole" };
  // If-Range must equal one of the validators exactly; a weak tag never does.
  if (
    headers.ifRange !== undefined &&
    (headers.ifRange.startsWith("W/") ||
      (headers.ifRange !== file.lastModifiedHeader && headers.ifRange !== file.etagHeader))
  ) {
    return { kind: "whole" };
  }
  const eq = headers.range.indexOf("=");
  if (eq === -1) return { kind: "malformed", reason: "Malformed range header." };
  if (headers.range.slice(0, eq).trim().toLowerCase() !== "bytes") {
    return { kind: "malformed", reason: "Only support bytes range" };
  }
  const spec = headers.range.slice(eq + 1);
  if (spec.split(",").length > MAX_RANGES) return { kind: "whole" };
  const ranges = parseRanges(spec, file.size);
  if (ranges.length === 0) return { kind: "malformed", reason: "Range header: range must be requested" };
  if (ranges.some((range) => !(range.start >= 0 && range.start < file.size)))
    return { kind: "unsatisfiable" };
  if (ranges.some((range) => range.start >= range.end)) {
    return { kind: "malformed", reason: "Range header: start must be less than end" };
  }
  return { kind: "ranges", ranges: ranges.length === 1 ? ranges : mergeRanges(ranges) };
}

/** Parts that are empty, dashless or not numbers are skipped, as Starlette skips them. */
function parseRanges(spec: string, size: number): ByteRange[] {
  const ranges: ByteRange[] = [];
  for (const raw of spec.split(",")) {
    const part = raw.trim();
    if (part === "" || part === "-" || !part.includes("-")) continue;
    const dash = part.indexOf("-");
    const startText = part.slice(0, dash).trim();
    const endText = part.slice(dash + 1).trim();
    const first = startText === "" ? undefined : pythonInt(startText);
    const last = endText === "" ? undefined : pythonInt(endText);
    if ((startText !== "" && first === undefined) || (endText !== "" && last === undefined)) continue;
    // A suffix needs its length: Starlette's int("") fails, so `-` alone was skipped above.
    if (first === undefined && last === undefined) continue;
    const start = first ?? Math.max(size - (last as number), 0);
    const end = first !== undefined && last !== undefined && last < size ? last + 1 : size;
    ranges.push({ start, end });
  }
  return ranges;
}

function pythonInt(text: string): number | undefined {
  return /^[+-]?\d+(?:_\d+)*$/.test(text) ? Number(text.replace(/_/g, "")) : undefined;
}

function mergeRanges(ranges: ByteRange[]): ByteRange[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start || a.end - b.end);
  const merged: ByteRange[] = [{ ...(sorted[0] as ByteRange) }];
  for (const range of sorted.slice(1)) {
    const last = merged[merged.length - 1] as ByteRange;
    if (range.start <= last.end) last.end = Math.max(last.end, range.end);
    else merged.push({ ...range });
  }
  return merged;
}
