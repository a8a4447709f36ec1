/**
 * The worker thread of WorkerTableSource: opens the table it is given and posts its chunks, at most `ahead`
 * chunks beyond those the caller has taken. Typed columns travel as transfers (a copy first when their memory
 * is shared with rows not yet sent); cells, and the stored values of Parquet columns with their elements
 * (parquetStoredColumns.ts), are cloned; a CSV chunk's position arrays, its own, are moved. An
 * error is posted as its code and message, so the caller throws the same FlowOpsError the reader would have
 * thrown on its own thread.
 */

import { parentPort, workerData } from "node:worker_threads";

import { FlowOpsError, isErrorCode } from "../errors.js";
import {
  hasNestedColumns,
  hasNumberText,
  hasTypedColumns,
  isTypedColumnValues,
  type ColumnValues,
  type NumberText,
} from "./columnarTableChunk.js";
import { CsvTableChunk, type TextCells } from "./csvChunk.js";
import { formattedNumberText } from "./formattedNumberText.js";
import { plainDecimalColumns } from "./numericColumn.js";
import { openTable } from "./openTable.js";
import { hasStoredColumns } from "./parquetStoredColumns.js";
import type { SchemaTree } from "hyparquet";
import type { SchemaElement } from "hyparquet-writer";

import type { TableChunk } from "./tableChunk.js";
import type { TableReadReply, TableReadRequest, TableReadSettings } from "./workerTableSource.js";

const port = parentPort;
if (port === null) throw new FlowOpsError("INTERNAL_ERROR", "tableReadWorker must run as a worker thread");
const settings = workerData as TableReadSettings;

let taken = 0;
let release: (() => void) | undefined;
port.on("message", (request: TableReadRequest) => {
  if (request.type === "taken") {
    taken += 1;
    release?.();
  }
});

void readAll().then(
  () => post({ type: "end" }),
  (error: unknown) =>
    post({
      type: "error",
      code: error instanceof FlowOpsError && isErrorCode(error.code) ? error.code : "INTERNAL_ERROR",
      message: error instanceof Error ? error.message : String(error),
      bug: !(error instanceof FlowOpsError),
    }),
);

async function readAll(): Promise<void> {
  const source = openTable(settings.path, {
    format: settings.format,
    chunkRows: settings.chunkRows,
    columns: settings.columns,
    numberText: settings.numberText,
  });
  let sent = 0;
  for await (const chunk of source.chunks()) {
    // Whether the caller is still busy with a chunk of ours, so that this thread would wait anyway.
    const callerBusy = sent - taken >= settings.ahead;
    const message =
      chunk instanceof CsvTableChunk
        ? csvMessage(chunk, settings.numbers && callerBusy)
        : columnsMessage(chunk, settings.numberText && callerBusy);
    while (sent - taken >= settings.ahead) await new Promise<void>((resolve) => (release = resolve));
    release = undefined;
    post(message.reply, message.transfer);
    sent += 1;
  }
}

interface Message {
  reply: TableReadReply;
  transfer: ArrayBuffer[];
}

/**
 * A chunk's columns. With `formatText`, a column of doubles or float32 values that came without its number
 * text (Parquet's) gets it here, so the caller copies it out instead of formatting every number: as with CSV
 * numbers, only while the caller is still busy with the chunk before, when this thread would wait anyway.
 */
function columnsMessage(chunk: TableChunk, formatText: boolean): Message {
  const names = settings.columns ?? chunk.columns;
  const values: [string, ColumnValues][] = [];
  const texts: [string, NumberText][] = [];
  const elements: [string, SchemaElement][] = [];
  const nested: [string, SchemaTree][] = [];
  const transfer = new Set<ArrayBuffer>();
  for (const name of names) {
    const typed = hasTypedColumns(chunk) ? (chunk.typedColumn(name) ?? chunk.int64Column(name)) : undefined;
    const stored = hasStoredColumns(chunk) ? chunk.storedColumn(name) : undefined;
    if (stored !== undefined) elements.push([name, stored.element]);
    const schema = hasNestedColumns(chunk) ? chunk.nestedSchema(name) : undefined;
    if (schema !== undefined) nested.push([name, schema]);
    const untyped = stored === undefined ? chunk.column(name) : (stored.values as ColumnValues);
    values.push([name, typed === undefined ? untyped : transferable(typed, transfer)]);
    let text = hasNumberText(chunk) ? chunk.numberText(name) : undefined;
    if (
      text === undefined &&
      formatText &&
      (typed instanceof Float32Array || typed instanceof Float64Array)
    ) {
      text = formattedNumberText(typed);
    }
    if (text !== undefined) {
      texts.push([
        name,
        {
          bytes: transferable(text.bytes, transfer),
          starts: transferable(text.starts, transfer),
          ends: transferable(text.ends, transfer),
        },
      ]);
    }
  }
  const { columns, startRow, rowCount } = chunk;
  return {
    reply: { type: "chunk", columns, startRow, rowCount, values, texts, elements, nested },
    transfer: [...transfer],
  };
}

/**
 * A CSV chunk as the parser left it; its arrays move, since each chunk has a sink of its own (csvReader.ts).
 * Columns of plain decimals are parsed here only when `parseNumbers`: while the caller is still busy with the
 * chunk before, this thread would wait anyway and parses instead; when the caller waits for this chunk, it goes
 * at once, and the caller parses what it needs itself. Parsing is most of reading a CSV of numbers, so this
 * keeps the two threads about equally busy, whichever is the slower at the rest.
 */
function csvMessage(chunk: CsvTableChunk, parseNumbers: boolean): Message {
  const { texts, textOfRow, cells, lines, quoted, count, slots } = chunk.sink;
  const selected = chunk.selected;
  const numbers: [string, Float64Array][] = [];
  if (parseNumbers) {
    const parsed = plainDecimalColumns(selected.map((name) => chunk.textCells(name) as TextCells));
    parsed.forEach((values, i) => {
      if (values !== undefined) numbers.push([selected[i] as string, values]);
    });
  }
  const { columns, startRow } = chunk;
  return {
    reply: {
      type: "csvChunk",
      columns,
      selected,
      startRow,
      cells: { texts, textOfRow, cells, lines, quoted, count, slots },
      numbers,
    },
    transfer: [
      textOfRow.buffer,
      cells.buffer,
      lines.buffer,
      ...numbers.map(([, values]) => values.buffer),
    ] as ArrayBuffer[],
  };
}

/**
 * The column itself when it alone spans its buffer, which then moves to the caller; otherwise a copy that
 * does, because moving a buffer shared with another column, or with rows a later chunk still holds, would
 * empty them on this side.
 */
function transferable<T extends ColumnValues | Uint8Array>(values: T, transfer: Set<ArrayBuffer>): T {
  if (!isTypedColumnValues(values) && !(values instanceof Uint8Array)) return values;
  const { buffer } = values;
  // An array that is its whole buffer moves; one buffer may hold several columns' arrays (the JSON Lines
  // reader's number text is one for the chunk), and moves once for all of them.
  const whole =
    buffer instanceof ArrayBuffer && values.byteOffset === 0 && values.byteLength === buffer.byteLength;
  const owned = whole ? values : (values.slice() as typeof values);
  transfer.add(owned.buffer as ArrayBuffer);
  return owned as T;
}

function post(reply: TableReadReply, transfer: ArrayBuffer[] = []): void {
  port?.postMessage(reply, transfer);
}
