/**
 * `text/csv` request bodies (MLflow `/invocations`) as a frame: the first record is the header, as
 * `pandas.read_csv` reads it; RFC 4180 quoting (separators, doubled quotes and line breaks inside quotes), CRLF
 * or LF, blank lines skipped, empty header names become "Unnamed: <i>" and empty cells (and pandas' NA markers)
 * null. Cells stay text, marked as CSV text: adaptInput converts them to the model's types, the way MLflow
 * passes the schema's dtypes to read_csv, or for a model without a signature types them as read_csv does.
 * Request bodies are small, so this is a plain character loop rather than the streaming table reader.
 */
import { PANDAS_NA_VALUES } from "../../tables/numericColumn.js";
import type { ModelSignature } from "../signature.js";
import type { ModelInput } from "./predictRequest.js";
import { castCsvColumns } from "./csvColumnCasts.js";
import { csvError } from "./csvParseError.js";

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

export function frameFromCsv(text: string): ModelInput & { kind: "frame" } {
  const { records, lines } = parseCsvRecords(text);
  const header = records[0];
  if (header === undefined) throw csvError("No columns to parse from file");
  const columns = header.map((name, index) => (name === null ? `Unnamed: ${index}` : name));
  const rows: unknown[][] = [];
  for (let r = 1; r < records.length; r++) {
    const record = records[r] as (string | null)[];
    if (record.length > columns.length) {
      throw csvError(
        `Error tokenizing data. C error: Expected ${columns.length} fields in line ${lines[r]}, saw ${record.length}\n`,
      );
    }
    while (record.length < columns.length) record.push(null);
    // read_csv's default na_values are missing in every column, quoted or not (MLflow reads CSV with it).
    for (let c = 0; c < record.length; c++) {
      const cell = record[c];
      if (cell !== null && cell !== undefined && PANDAS_NA_VALUES.has(cell)) record[c] = null;
    }
    rows.push(record);
  }
  // MLflow reads the body with the signature's dtypes, so the signature decides how the text becomes numbers.
  return {
    kind: "frame",
    columns,
    rows,
    textCells: "csv",
    numpyCasts: (signature: ModelSignature | undefined) => castCsvColumns(columns, rows, signature),
  };
}

/**
 * The records, and the line pandas' tokenizer names each by: line breaks outside quotes, blank lines included.
 */
function parseCsvRecords(text: string): { records: (string | null)[][]; lines: number[] } {
  const records: (string | null)[][] = [];
  const lines: number[] = [];
  let tokenizerLine = 1;
  const length = text.length;
  let at = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (at < length) {
    const code = text.charCodeAt(at);
    if (code === LF || (code === CR && text.charCodeAt(at + 1) === LF)) {
      at += code === LF ? 1 : 2;
      line++;
      tokenizerLine++;
      continue;
    }
    lines.push(tokenizerLine++);
    const record: (string | null)[] = [];
    for (;;) {
      let value: string | null;
      if (text.charCodeAt(at) === QUOTE) {
        const startLine = line;
        value = "";
        let from = at + 1;
        for (;;) {
          const close = text.indexOf('"', from);
          if (close === -1) throw csvError(`a quoted field opened on line ${startLine} is never closed`);
          const part = text.slice(from, close);
          for (let i = part.indexOf("\n"); i !== -1; i = part.indexOf("\n", i + 1)) line++;
          value += part;
          if (text.charCodeAt(close + 1) === QUOTE) {
            value += '"';
            from = close + 2;
            continue;
          }
          at = close + 1;
          break;
        }
        const next = at < length ? text.charCodeAt(at) : LF;
        if (
          next !== COMMA &&
          next !== LF &&
          !(next === CR && (at + 1 >= length || text.charCodeAt(at + 1) === LF))
        ) {
          throw csvError(`line ${line}: unexpected character '${text[at]}' after a closing quote`);
        }
      } else {
        let end = at;
        while (end < length) {
          const c = text.charCodeAt(end);
          if (c === COMMA || c === LF) break;
          end++;
        }
        let valueEnd = end;
        if (
          valueEnd > at &&
          text.charCodeAt(valueEnd - 1) === CR &&
          (end >= length || text.charCodeAt(end) === LF)
        ) {
          valueEnd--;
        }
        value = valueEnd === at ? null : text.slice(at, valueEnd);
        at = valueEnd;
      }
      record.push(value);
      if (at < length && text.charCodeAt(at) === CR) at++;
      if (at >= length) break;
      if (text.charCodeAt(at) === COMMA) {
        at++;
        continue;
      }
      at++;
      line++;
      break;
    }
    records.push(record);
  }
  return { records, lines };
}
