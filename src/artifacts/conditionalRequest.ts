/**
 * Conditional and ranged GETs decided as werkzeug 3.1's `Response.make_conditional` decides them, which is
 * what MLflow's Flask download routes (`/get-artifact`, model version, logged model and trace attachment
 * files) answer through: one byte range or a 416, `If-None-Match` / `If-Modified-Since` giving 304, a
 * failed `If-Match` giving 412, `If-Range` by date or strong tag. werkzeug's quirks are kept on purpose
 * (several ranges are a 416, `If-Match: *` fails), since clients of MLflow see exactly those answers.
 */

/** The request headers that werkzeug reads; each is absent when the request did not send it. */
export interface ConditionalHeaders {
  range?: string | undefined;
  ifRange?: string | undefined;
  ifModifiedSince?: string | undefined;
  ifNoneMatch?: string | undefined;
  ifMatch?: string | undefined;
}

/**
 * What the response describes: its unquoted strong tag, its whole-second time, its length in bytes. A
 * response without a tag or a time (send_file of an in-memory buffer) leaves them out: werkzeug then has
 * nothing to compare, so no condition holds and If-Range always drops the range.
 */
export interface FileValidators {
  etag?: string | undefined;
  lastModifiedSeconds?: number | undefined;
  size: number;
}

export type ConditionalAnswer =
  | { status: 200 | 304 | 412 }
  /** `end` is exclusive. */
  | { status: 206; start: number; end: number }
  | { status: 416 };

export function decideConditional(headers: ConditionalHeaders, file: FileValidators): ConditionalAnswer {
  // werkzeug skips ranges of an empty file rather than refusing them (its 2.0 change).
  if (
    file.size > 0 &&
    headers.range !== undefined &&
    (headers.ifRange === undefined || !isModified(headers, file, false))
  ) {
    const range = singleByteRange(headers.range, file.size);
    return range === undefined ? { status: 416 } : { status: 206, ...range };
  }
  if (!isModified(headers, file, true)) return { status: parseEtags(headers.ifMatch).any ? 412 : 304 };
  return { status: 200 };
}

/** werkzeug's `parse_range_header` then `Range.range_for_length`: one satisfiable `bytes` range or nothing. */
export function singleByteRange(value: string, size: number): { start: number; end: number } | undefined {
  const parsed = parseRangeHeader(value);
  if (parsed === undefined || parsed.units !== "bytes" || parsed.ranges.length !== 1) return undefined;
  let [start, end] = parsed.ranges[0] as [number, number | undefined];
  if (end === undefined) {
    end = size;
    if (start < 0) start += size;
  }
  if (start >= end || start < 0 || start >= size) return undefined;
  return { start, end: Math.min(end, size) };
}

function parseRangeHeader(
  value: string,
): { units: string; ranges: [number, number | undefined][] } | undefined {
  if (value === "" || !value.includes("=")) return undefined;
  const eq = value.indexOf("=");
  const units = stripSpaceTab(value.slice(0, eq)).toLowerCase();
  const ranges: [number, number | undefined][] = [];
  let lastEnd = 0;
  for (const raw of value.slice(eq + 1).split(",")) {
    const item = stripSpaceTab(raw);
    if (!item.includes("-")) return undefined;
    if (item.startsWith("-")) {
      const begin = plainInt(item);
      // `-0` is no suffix at all.
      if (lastEnd < 0 || begin === undefined || begin === 0) return undefined;
      ranges.push([begin, undefined]);
      lastEnd = -1;
      continue;
    }
    const dash = item.indexOf("-");
    const begin = plainInt(item.slice(0, dash));
    if (begin === undefined || begin < lastEnd || lastEnd < 0) return undefined;
    const endText = stripSpaceTab(item.slice(dash + 1));
    let end: number | undefined;
    if (endText !== "") {
      const last = plainInt(endText);
      if (last === undefined || begin >= last + 1) return undefined;
      end = last + 1;
    }
    ranges.push([begin, end]);
    lastEnd = end ?? -1;
  }
  return { units, ranges };
}

/** werkzeug's `_plain_int`: ASCII digits with an optional minus, nothing Python's int() would also take. */
function plainInt(text: string): number | undefined {
  const value = stripSpaceTab(text);
  return /^-?[0-9]+$/.test(value) ? Number(value) : undefined;
}

function stripSpaceTab(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, "");
}

/** werkzeug's `is_resource_modified`, including its reading of `If-Match` (a strong match counts as modified). */
function isModified(headers: ConditionalHeaders, file: FileValidators, ignoreIfRange: boolean): boolean {
  let unmodified = false;
  const ifRange = !ignoreIfRange && headers.range !== undefined ? parseIfRange(headers.ifRange) : undefined;
  const since = ifRange?.date ?? parseHttpDate(headers.ifModifiedSince);
  if (
    since !== undefined &&
    file.lastModifiedSeconds !== undefined &&
    file.lastModifiedSeconds * 1000 <= since
  ) {
    unmodified = true;
  }
  if (file.etag !== undefined && file.etag !== "") {
    if (ifRange?.etag !== undefined) {
      unmodified = ifRange.etag === file.etag;
    } else {
      const noneMatch = parseEtags(headers.ifNoneMatch);
      if (noneMatch.any)
        unmodified = noneMatch.star || noneMatch.weak.has(file.etag) || noneMatch.strong.has(file.etag);
      const match = parseEtags(headers.ifMatch);
      if (match.any) unmodified = !match.strong.has(file.etag);
    }
  }
  return !unmodified;
}

function parseIfRange(value: string | undefined): { date?: number; etag?: string } {
  if (value === undefined || value === "") return {};
  const date = parseHttpDate(value);
  return date === undefined ? { etag: unquoteEtag(value) } : { date };
}

interface ParsedEtags {
  strong: Set<string>;
  weak: Set<string>;
  star: boolean;
  any: boolean;
}

const ETAG = /[ \t]*([Ww]\/)?(?:"([^"]*)"|([^" \t,]+))[ \t]*(?:,|$)/y;

/** werkzeug's `parse_etags`: invalid members are skipped up to the next comma; `*` alone is the star tag. */
export function parseEtags(value: string | undefined): ParsedEtags {
  const strong = new Set<string>();
  const weak = new Set<string>();
  if (value === undefined || value === "") return { strong, weak, star: false, any: false };
  if (value === "*") return { strong, weak, star: true, any: true };
  let pos = 0;
  for (;;) {
    ETAG.lastIndex = pos;
    const match = ETAG.exec(value);
    if (match === null) {
      pos = value.indexOf(",", pos) + 1;
      if (pos === 0) break;
      continue;
    }
    const tag = match[2] ?? match[3] ?? "";
    (match[1] === undefined ? strong : weak).add(tag);
    pos = ETAG.lastIndex;
  }
  return { strong, weak, star: false, any: strong.size + weak.size > 0 };
}

function unquoteEtag(value: string): string {
  const start = value.startsWith("W/") || value.startsWith("w/") ? 2 : 0;
  const rest = value.slice(start);
  return rest.startsWith('"') && rest.endsWith('"') ? rest.slice(1, -1) : rest;
}

/** Milliseconds of an RFC 2822 / HTTP date (as Python's `parsedate_to_datetime` reads them), else undefined. */
export function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  // Only date-shaped text: Date.parse alone would read a bare tag such as `1` as a year.
  if (
    !/^\s*(?:[A-Za-z]{3},?\s+)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s+\S+)?\s*$/.test(
      value,
    )
  ) {
    return undefined;
  }
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? undefined : millis;
}
