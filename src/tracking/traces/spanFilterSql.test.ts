import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { metadataBackends, type TestBackend } from "../../../test/support/backends.js";
import { rejection } from "../../../test/support/thrownError.js";
import type { MetadataDb } from "../../db/connect.js";
import { createExperiment } from "../experimentStore.js";
import type { OtlpKeyValue, OtlpSpan } from "./otlpProto.js";
import { spansFromExportRequest } from "./otlpSpans.js";
import { searchTraces } from "./search.js";
import { SpanStore } from "./spanStore.js";
import { TraceStore } from "./store.js";

/** Nanoseconds of 2026-12-07, when the traces below start. */
const START_NS = 1_796_613_810_000_000_000n;
const START_MS = Number(START_NS / 1_000_000n);

type Attribute = string | number;
interface SpanSpec {
  id: number;
  parent?: number;
  name: string;
  type: string;
  error?: boolean;
  attributes?: Record<string, Attribute>;
}

/** The traces the compat test logs with `@mlflow.trace`, as the 3.17 client exports them over OTLP. */
const TRACES: Record<string, SpanSpec[]> = {
  root: [
    { id: 1, name: "root", type: "CHAIN", attributes: { "mlflow.spanInputs": '{"x": 4}' } },
    {
      id: 2,
      parent: 1,
      name: "scale",
      type: "TOOL",
      attributes: { model: "gpt-4o", weight: 1.5, "mlflow.spanOutputs": '{"x": 8, "label": "ünï"}' },
    },
  ],
  llm: [
    {
      id: 3,
      name: "llm",
      type: "LLM",
      attributes: { model: "Claude", "mlflow.spanOutputs": '"Answer Mixed Case"' },
    },
  ],
  broken: [{ id: 4, name: "broken", type: "UNKNOWN", error: true }],
  caller: [
    { id: 5, name: "caller", type: "UNKNOWN", attributes: { "mlflow.spanOutputs": '"Answer hello World"' } },
    { id: 6, parent: 5, name: "broken", type: "UNKNOWN", error: true },
    { id: 7, parent: 5, name: "llm", type: "LLM", attributes: { model: "Claude" } },
  ],
};

function traceHex(index: number): string {
  return index.toString(16).padStart(32, "0");
}

function otlpSpan(traceIndex: number, spec: SpanSpec): OtlpSpan {
  const attributes: OtlpKeyValue[] = [
    { key: "mlflow.spanType", value: { stringValue: spec.type } },
    ...Object.entries(spec.attributes ?? {}).map(([key, value]) => ({
      key,
      value: typeof value === "number" ? { doubleValue: value } : { stringValue: value },
    })),
  ];
  const start = START_NS + BigInt(spec.id) * 1_000_000n;
  return {
    traceId: Buffer.from(traceHex(traceIndex), "hex"),
    spanId: Buffer.from(spec.id.toString(16).padStart(16, "0"), "hex"),
    ...(spec.parent === undefined
      ? {}
      : { parentSpanId: Buffer.from(spec.parent.toString(16).padStart(16, "0"), "hex") }),
    name: spec.name,
    startTimeUnixNano: start.toString(),
    endTimeUnixNano: (start + 500_000n).toString(),
    attributes,
    status: spec.error ? { code: 2, message: "ValueError: bad input" } : { code: 1 },
  };
}

describe.each(metadataBackends())("span filters in trace search on $name", (backend: TestBackend) => {
  let opened: Awaited<ReturnType<TestBackend["open"]>>;
  let meta: MetadataDb;
  let experimentId: string;
  const names = new Map<string, string>();

  beforeAll(() => {
    Object.keys(TRACES).forEach((name, i) => names.set(`tr-${traceHex(i + 1)}`, name));
  });

  const search = async (filter: string) => {
    const page = await searchTraces(meta, { experimentIds: [experimentId], filter });
    return page.traces.map((t) => names.get(t.traceId) ?? t.traceId).sort();
  };
  const refusal = async (filter: string) => (await rejection(search(filter))).message;

  beforeEach(async () => {
    opened = await backend.open();
    meta = opened.meta;
    experimentId = await createExperiment(meta.db, { name: "exp" }, "mlflow-artifacts:/", 1);
    const spans = Object.values(TRACES).flatMap((specs, i) => specs.map((spec) => otlpSpan(i + 1, spec)));
    await new SpanStore(meta).logSpans(
      experimentId,
      spansFromExportRequest({ resourceSpans: [{ scopeSpans: [{ spans }] }] }),
    );
    // A trace logged by an older client: its spans live in its artifacts, so no span filter matches it.
    await new TraceStore(meta).start({
      traceId: "tr-artifacts",
      experimentId,
      requestTime: START_MS,
      executionDuration: 1,
      state: "OK",
      metadata: {},
      tags: { "mlflow.traceName": "llm" },
    });
  });
  afterEach(async () => {
    await opened.close();
  });

  it("compares span names, types and statuses as mlflow server did", async () => {
    expect(await search("span.name = 'scale'")).toEqual(["root"]);
    // Any span named otherwise, not no span so named; traces without span rows never match.
    expect(await search("span.name != 'broken'")).toEqual(["caller", "llm", "root"]);
    expect(await search("span.name != 'llm'")).toEqual(["broken", "caller", "root"]);
    expect(await search("span.name IN ('scale', 'llm')")).toEqual(["caller", "llm", "root"]);
    expect(await search("span.name not in ('broken', 'caller')")).toEqual(["caller", "llm", "root"]);
    expect(await search("span.name LIKE 'sc%'")).toEqual(["root"]);
    expect(await search("span.name LIKE 'SC%'")).toEqual([]);
    expect(await search("span.name ILIKE 'SC%'")).toEqual(["root"]);
    expect(await search("span.name RLIKE '^b'")).toEqual(["broken", "caller"]);
    expect(await search("span.name RLIKE 'L+'")).toEqual([]);
    // Python's inline flag, which mlflow's SQLite regexp (re.search) and PostgreSQL's `~` both read.
    expect(await search("span.name RLIKE '(?i)SCALE'")).toEqual(["root"]);
    if (backend.name === "sqlite") expect(await search("span.name RLIKE '('")).toEqual([]);
    else expect(await rejection(search("span.name RLIKE '('"))).toMatchObject({ code: "BAD_REQUEST" });
    expect(await search("span.type = 'LLM'")).toEqual(["caller", "llm"]);
    expect(await search("span.type = 'llm'")).toEqual([]);
    expect(await search("span.status = 'ERROR'")).toEqual(["broken", "caller"]);
    expect(await search("span.status != 'OK'")).toEqual(["broken", "caller"]);
    expect(await search("span.status = 'STATUS_CODE_ERROR'")).toEqual([]);
    expect(await search("span.`name` = 'scale'")).toEqual(["root"]);
  });

  it("holds all span clauses of a filter on one span", async () => {
    expect(await search("span.name = 'llm' AND span.type = 'LLM'")).toEqual(["caller", "llm"]);
    expect(await search("span.name = 'broken' AND span.status = 'OK'")).toEqual([]);
    expect(await search("span.type = 'LLM' AND span.status = 'ERROR'")).toEqual([]);
    expect(await search("span.name = 'broken' AND trace.text LIKE '%Answer%'")).toEqual([]);
    expect(await search("span.name = 'caller' AND trace.text LIKE '%hello World%'")).toEqual(["caller"]);
    expect(await search("name = 'llm'")).toEqual(["tr-artifacts"]);
    expect(await search("span.name = 'llm' AND name = 'llm'")).toEqual([]);
    expect(await search(`span.name = 'scale' AND timestamp_ms > ${START_MS - 1}`)).toEqual(["root"]);
    // mlflow skips spans starting more than 10 s before a lower bound on the trace's timestamp.
    expect(await search(`span.name = 'scale' AND timestamp_ms >= ${START_MS - 20_000}`)).toEqual(["root"]);
    expect(await search("span.name = 'scale' AND timestamp_ms > 9999999999999")).toEqual([]);
  });

  it("searches the spans' JSON for content, text and attributes", async () => {
    expect(await search("span.content LIKE '%ünï%'")).toEqual(["root"]);
    expect(await search("span.content LIKE '%Mixed%'")).toEqual(["llm"]);
    expect(await search("span.content LIKE '%mixed%'")).toEqual([]);
    expect(await search("span.content ILIKE '%mixed%'")).toEqual(["llm"]);
    expect(await search("trace.text LIKE '%Mixed%'")).toEqual(["llm"]);
    expect(await search("attributes.text like '%Answer%'")).toEqual(["caller", "llm"]);
    expect(await search("`text` ILIKE '%hello%'")).toEqual(["caller"]);
    expect(await search("span.attributes.model LIKE '%gpt%'")).toEqual(["root"]);
    expect(await search("span.attributes.model ILIKE '%claude%'")).toEqual(["caller", "llm"]);
    expect(await search("span.attributes.model LIKE 'gpt%'")).toEqual([]);
    expect(await search("span.attributes.model = 'gpt-4o'")).toEqual([]);
    expect(await search("span.attributes.model != 'gpt-4o'")).toEqual(["broken", "caller", "llm", "root"]);
    expect(await search("span.attributes.model RLIKE '^gpt-4o$'")).toEqual(["root"]);
    expect(await search("span.attributes.model RLIKE '4o$'")).toEqual(["root"]);
    expect(await search("span.attributes.model RLIKE '^(gpt|Claude)$'")).toEqual(["caller", "llm"]);
    expect(await search("span.attributes.model RLIKE '^$'")).toEqual([]);
    expect(await search("span.attributes.weight RLIKE '1.5'")).toEqual([]);
    expect(await search("span.attributes.weight LIKE '%1.5%'")).toEqual(["root"]);
    expect(await search("span.attributes.`mlflow.spanType` LIKE '%LLM%'")).toEqual(["caller", "llm"]);
    expect(await search("span.attributes.mlflow.spanType LIKE '%LLM%'")).toEqual(["caller", "llm"]);
    expect(await search("span.attributes.\"model\" LIKE '%gpt%'")).toEqual([]);
    expect(await search("span.attributes.model LIKE ('%gpt%', 'x')")).toEqual([]);
  });

  it("refuses what mlflow refuses, in its words", async () => {
    const columns = "'{'!=', '=', 'IN', 'NOT IN', 'LIKE', 'ILIKE', 'RLIKE'}'";
    expect(await refusal("span.content = 'x'")).toBe(
      "span.content comparator '=' not one of '{'LIKE', 'ILIKE'}'",
    );
    expect(await refusal("trace.text = 'x'")).toBe(
      "span.content comparator '=' not one of '{'LIKE', 'ILIKE'}'",
    );
    expect(await refusal("trace.text IS NULL")).toBe(
      "span.content comparator 'IS NULL' not one of '{'LIKE', 'ILIKE'}'",
    );
    expect(await refusal("span.name like 'sc%'")).toBe(`span.name comparator 'like' not one of ${columns}`);
    expect(await refusal("span.name In ('x')")).toBe(`span.name comparator 'In' not one of ${columns}`);
    expect(await refusal("span.name > 'a'")).toBe(`span.name comparator '>' not one of ${columns}`);
    expect(await refusal("span.name IS NULL")).toBe(`span.name comparator 'IS NULL' not one of ${columns}`);
    const attributes = "Supported attributes: name, status, type, attributes.<attribute_name>.";
    expect(await refusal("span.Name = 'x'")).toBe(`Invalid span attribute 'Name'. ${attributes}`);
    expect(await refusal("span.foo IS NULL")).toBe(`Invalid span attribute 'foo'. ${attributes}`);
    expect(await refusal("span.attributes LIKE '%x%'")).toBe(
      `Invalid span attribute 'attributes'. ${attributes}`,
    );
    expect(await refusal("span.attributes. LIKE '%x%'")).toBe(
      "Span attribute name cannot be empty after 'attributes.'",
    );
    expect(await refusal("span.foo = 1")).toBe(
      "Expected a quoted string value for span (e.g. 'my-value'). Got value 1",
    );
    expect(await refusal("span.name IN 'scale'")).toBe(
      "Invalid clause(s) in filter string: 'span.name', 'IN', ''scale''",
    );
    expect(await refusal("span.name IN ()")).toBe(
      "While parsing a list in the query, expected a non-empty list of string values, but got empty list",
    );
    expect(await refusal("text LIKE '%x%' AND TEXT IS NULL")).toBe(
      "Invalid clause(s) in filter string: 'text', 'LIKE', ''%x%'', 'TEXT', 'IS', 'NULL'",
    );
    expect(await refusal("trace.TEXT LIKE '%x%'")).toMatch(/^Invalid attribute key 'TEXT' specified/);
    expect(await refusal("trace.text IN ('x')")).toBe(
      "Only attributes in {'name', 'status', 'request_id', 'run_id', 'client_request_id'} supports comparison with a list of quoted string values.",
    );
    expect(await refusal("trace.text LIKE Answer")).toBe(
      "Parameter value is either not quoted or unidentified quote types used for string value Answer. Use either single or double quotes.",
    );
    const inList = await rejection(search(`span.attributes.model NOT IN ('gpt-4o', "it's")`));
    expect(inList).toMatchObject({ code: "BAD_REQUEST" });
    expect(inList.message).toBe(
      `IN expression list, SELECT construct, or bound parameter object expected, got '%"model"(\\'gpt-4o\\', "it\\'s")%'.`,
    );
    expect(await rejection(search("span.name = ('scale')"))).toMatchObject({ code: "BAD_REQUEST" });
    expect(await refusal("order_by_is_not_a_filter = 'x'")).toMatch(/^Invalid attribute key/);
    await expect(
      searchTraces(meta, { experimentIds: [experimentId], orderBy: ["span.name"] }),
    ).rejects.toThrow("Invalid identifier type 'span'");
  });
});
