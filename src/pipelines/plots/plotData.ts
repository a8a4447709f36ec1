/**
 * A plot's data file read as dvc's `plots.parse` reads it: CSV and TSV into rows of strings (Python's
 * `csv.DictReader`), JSON, YAML, TOML and Python by extension, images as bytes. A file that cannot be read is
 * an error record in the shape `dvc plots show --json` lists (`{type, msg}`), not an exception: one bad file
 * leaves the other plots drawn.
 */
import { extname } from "node:path";
import { FlowOpsError } from "../../errors.js";
import { corruptedFileError } from "../dataFileReadError.js";
import { parseDataText } from "../paramsFile.js";
import { CSV_REST_KEY } from "./vegaConverter.js";

/** dvc_render's ImageRenderer.EXTENSIONS. */
export const IMAGE_EXTENSIONS: ReadonlySet<string> = new Set([".jpg", ".jpeg", ".gif", ".png", ".svg"]);
const DATA_EXTENSIONS: ReadonlySet<string> = new Set([
  ".json",
  ".yaml",
  ".yml",
  ".toml",
  ".py",
  ".csv",
  ".tsv",
]);

export interface PlotError {
  /** The Python exception's class name, as dvc's `encode_exception` gives it. */
  type: string;
  msg: string;
}

export type PlotSource = { data: unknown } | { error: PlotError };

export function isImagePath(path: string): boolean {
  return IMAGE_EXTENSIONS.has(extname(path));
}

/**
 * Parses `bytes` of the file at `path` (the path as dvc names it, for messages). `header: false` reads CSV and
 * TSV rows under the column numbers "0", "1", ...
 */
export function parsePlotData(path: string, bytes: Buffer, props: { header?: unknown } = {}): PlotSource {
  const extension = extname(path);
  if (IMAGE_EXTENSIONS.has(extension)) return { data: bytes };
  if (!DATA_EXTENSIONS.has(extension)) {
    return {
      error: {
        type: "PlotMetricTypeError",
        msg: `'${path}' - file type error\nOnly JSON, YAML, CSV and TSV formats are supported.`,
      },
    };
  }
  let text: string;
  try {
    // dvc reads with Python's "utf-8" codec, which keeps a leading U+FEFF (a CSV header names "\ufeffx").
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return { error: { type: "EncodingError", msg: `unable to read: '${path}', is not valid utf8` } };
  }
  if (extension === ".csv" || extension === ".tsv") {
    return { data: loadSeparatedValues(text, extension === ".tsv" ? "\t" : ",", props.header !== false) };
  }
  try {
    return { data: parseDataText(path, text) };
  } catch (error) {
    if (!(error instanceof FlowOpsError)) throw error;
    return { error: corruptedFileError(path) };
  }
}

/**
 * dvc's `_load_sv`: `csv.DictReader` rows. Without a header the field names are the column numbers of the first
 * row, which dvc splits on commas even in a TSV file; so do we.
 */
export function loadSeparatedValues(
  text: string,
  delimiter: string,
  header: boolean,
): Record<string, string | null>[] {
  const rows = csvRows(text, delimiter);
  let fieldnames: string[];
  if (header) {
    const first = rows.shift();
    if (first === undefined) return [];
    fieldnames = first;
  } else {
    const first = csvRows(text, ",")[0];
    if (first === undefined) return [];
    fieldnames = first.map((_, i) => String(i));
  }
  const records: Record<string, string | null>[] = [];
  for (const row of rows) {
    const record: Record<string, string | null> = {};
    // DictReader: missing cells are None; extra cells go under the key None, which JSON writes as "null".
    fieldnames.forEach((name, i) => (record[name] = row[i] ?? null));
    if (row.length > fieldnames.length) {
      (record as Record<string, unknown>)[CSV_REST_KEY] = row.slice(fieldnames.length);
    }
    records.push(record);
  }
  return records;
}

/**
 * Python's `csv.reader` with the excel dialect: quoted fields with doubled quotes, any line ending, and lines
 * that hold nothing skipped (DictReader skips rows equal to `[]`).
 */
function csvRows(text: string, delimiter: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let fieldStarted = false;
  const endRow = (): void => {
    if (fieldStarted || row.length > 0) {
      row.push(field);
      rows.push(row);
    }
    row = [];
    field = "";
    fieldStarted = false;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          quoted = false;
        }
      } else {
        field += c;
      }
    } else if (c === '"' && field === "") {
      quoted = true;
      fieldStarted = true;
    } else if (c === delimiter) {
      row.push(field);
      field = "";
      fieldStarted = true;
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRow();
    } else {
      field += c;
      fieldStarted = true;
    }
  }
  endRow();
  return rows;
}
