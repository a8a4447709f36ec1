/**
 * The edits the tracking-server fuzz test makes to a valid request, and how one is turned into a mutated
 * request: one edit, sometimes two, applied in phase order (the JSON tree and query first, bytes once the body
 * is written, HTTP last). An edit that makes a request invalid whatever else happens marks it `mustFail`.
 * Test-only; nothing in the product imports it.
 */
import type { SeededRandom } from "../seededRandom.js";
import type { TrackingSeed } from "./trackingFuzzCorpus.js";
import {
  finish,
  newDraft,
  objectsOf,
  RawJson,
  serializeJson,
  slotsOf,
  type Draft,
  type FuzzRequest,
  type Mutation,
  type Phase,
} from "./trackingFuzzDraft.js";
import {
  BAD_UTF8,
  CONTENT_TYPES,
  EXTRA_KEYS,
  FILTERS,
  ID_STRINGS,
  ORDER_BYS,
  PAGE_TOKENS,
  QUERY_SUFFIXES,
  RAW_CONTROLS,
  RAW_QUERY_VALUES,
  TRAVERSAL_PATHS,
  WEIRD_JSON,
} from "./trackingFuzzValues.js";

/** Strings aimed at the field a key names, so page tokens meet bad tokens and filters meet odd filters. */
function stringsFor(key: string | number): readonly string[] {
  if (key === "page_token") return PAGE_TOKENS;
  if (key === "filter") return FILTERS;
  if (key === "order_by") return ORDER_BYS;
  return ID_STRINGS;
}

const hasJson = (draft: Draft): boolean => draft.json !== undefined;
const hasJsonBody = (draft: Draft): boolean => draft.seed.json !== undefined;

function weirdValue(key: string | number, random: SeededRandom): RawJson {
  if (random.chance(0.35)) return new RawJson(JSON.stringify(random.pick(stringsFor(key))));
  return new RawJson(random.pick(WEIRD_JSON));
}

const mutation = (m: Mutation): Mutation => m;

const MUTATIONS: readonly Mutation[] = [
  mutation({
    name: "replace value",
    phase: "structure",
    weight: 6,
    applies: (d) => hasJson(d) && slotsOf(d.json).length > 0,
    apply(d, random) {
      const slot = random.pick(slotsOf(d.json));
      const value = weirdValue(slot.key, random);
      (slot.parent as Record<string | number, unknown>)[slot.key] = value;
      return `set ${String(slot.key)} to ${value.text.slice(0, 60)}`;
    },
  }),
  mutation({
    name: "drop field",
    phase: "structure",
    weight: 3,
    applies: (d) => hasJson(d) && slotsOf(d.json).some((s) => !Array.isArray(s.parent)),
    apply(d, random) {
      const slot = random.pick(slotsOf(d.json).filter((s) => !Array.isArray(s.parent)));
      delete (slot.parent as Record<string, unknown>)[slot.key as string];
      return `dropped ${String(slot.key)}`;
    },
  }),
  mutation({
    name: "add key",
    phase: "structure",
    weight: 2,
    applies: (d) => hasJson(d) && objectsOf(d.json).length > 0,
    apply(d, random) {
      const target = random.pick(objectsOf(d.json));
      const key = random.pick(EXTRA_KEYS);
      Object.defineProperty(target, key, {
        value: weirdValue(key, random),
        enumerable: true,
        writable: true,
        configurable: true,
      });
      return `added key ${JSON.stringify(key)}`;
    },
  }),
  mutation({
    name: "whole body",
    phase: "structure",
    weight: 2,
    applies: hasJson,
    apply(d, random) {
      const text = random.pick(WEIRD_JSON);
      d.json = new RawJson(text);
      return `body is ${text.slice(0, 60)}`;
    },
  }),
  mutation({
    name: "double encoded body",
    phase: "structure",
    weight: 1,
    applies: hasJson,
    apply(d) {
      d.json = JSON.stringify(d.json);
      return "body sent as a JSON string of itself";
    },
  }),
  mutation({
    name: "query value",
    phase: "structure",
    weight: 5,
    applies: (d) => d.query.length > 0,
    apply(d, random) {
      const pair = random.pick(d.query);
      pair[1] = random.chance(0.5)
        ? random.pick(RAW_QUERY_VALUES)
        : encodeURIComponent(
            random.pick(stringsFor(decodeURIComponent(pair[0]))).replace(/[\ud800-\udfff]/g, "?"),
          );
      return `query ${pair[0]}=${pair[1].slice(0, 60)}`;
    },
  }),
  mutation({
    name: "query drop",
    phase: "structure",
    weight: 2,
    applies: (d) => d.query.length > 0,
    apply(d, random) {
      const index = random.int(d.query.length);
      const [dropped] = d.query.splice(index, 1);
      return `dropped query ${dropped?.[0] ?? ""}`;
    },
  }),
  mutation({
    name: "query repeat",
    phase: "structure",
    weight: 2,
    applies: (d) => d.query.length > 0,
    apply(d, random) {
      const [key] = random.pick(d.query);
      d.query.push([key, random.pick(RAW_QUERY_VALUES)]);
      return `repeated query ${key}`;
    },
  }),
  mutation({
    name: "query suffix",
    phase: "structure",
    weight: 2,
    applies: (d) => d.seed.method === "GET",
    apply(d, random) {
      d.querySuffix = random.pick(QUERY_SUFFIXES);
      return `query suffix ${d.querySuffix.slice(0, 60)}`;
    },
  }),
  mutation({
    name: "artifact path",
    phase: "structure",
    weight: 4,
    applies: (d) => d.artifactPath !== undefined,
    apply(d, random) {
      const path = random.pick(TRAVERSAL_PATHS);
      d.artifactPath = path;
      return `artifact path ${path.slice(0, 60)}`;
    },
  }),
  mutation({
    name: "truncate",
    phase: "bytes",
    weight: 3,
    applies: hasJsonBody,
    apply(d, random) {
      const body = d.body as Buffer;
      const keep = 1 + random.int(Math.max(1, body.length - 2));
      d.body = body.subarray(0, keep);
      // A cut JSON object is never JSON, nor a JSON string of one; whitespace alone reads as {}.
      if (d.body.toString("utf8").trim() !== "" && d.body.toString("utf8").trim().startsWith("{")) {
        d.bodyFault = "truncated JSON body";
      }
      return `truncated to ${keep} bytes`;
    },
  }),
  mutation({
    name: "bad utf-8 in a string",
    phase: "bytes",
    weight: 2,
    applies: (d) => hasJsonBody(d) && (d.body === undefined || d.body.includes(0x22)),
    apply(d, random) {
      const body = d.body as Buffer;
      const quotes = [...body.entries()].filter(([, byte]) => byte === 0x22).map(([at]) => at);
      const at = random.pick(quotes) + 1;
      const bytes = random.pick(BAD_UTF8);
      d.body = Buffer.concat([body.subarray(0, at), bytes, body.subarray(at)]);
      d.bodyFault = "body is not UTF-8";
      return `bytes ${bytes.toString("hex")} at ${at}`;
    },
  }),
  mutation({
    name: "raw control character",
    phase: "bytes",
    weight: 1,
    applies: (d) => hasJsonBody(d) && (d.body === undefined || d.body.includes(0x22)),
    apply(d, random) {
      const body = d.body as Buffer;
      const quotes = [...body.entries()].filter(([, byte]) => byte === 0x22).map(([at]) => at);
      const at = random.pick(quotes) + 1;
      const control = random.pick(RAW_CONTROLS);
      d.body = Buffer.concat([body.subarray(0, at), Buffer.from(control), body.subarray(at)]);
      return `control ${JSON.stringify(control)} at ${at}`;
    },
  }),
  mutation({
    name: "byte order mark",
    phase: "bytes",
    weight: 1,
    applies: hasJsonBody,
    apply(d) {
      d.body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), d.body as Buffer]);
      return "UTF-8 BOM before the body";
    },
  }),
  mutation({
    name: "duplicate key",
    phase: "bytes",
    weight: 2,
    applies: (d) =>
      hasJsonBody(d) &&
      Object.keys(d.seed.json ?? {}).length > 0 &&
      // It rewraps the body in braces, which would close a truncated one again.
      d.bodyFault === undefined &&
      (d.body === undefined || d.body[0] === 0x7b),
    apply(d, random) {
      const key = random.pick(Object.keys(d.seed.json ?? {}));
      const value = weirdValue(key, random).text;
      const body = d.body as Buffer;
      const [before, after] = random.chance(0.5)
        ? [`${JSON.stringify(key)}:${value},`, ""]
        : ["", `,${JSON.stringify(key)}:${value}`];
      const inner = body.subarray(1, body.length - 1);
      d.body = Buffer.concat([Buffer.from(`{${before}`), inner, Buffer.from(`${after}}`)]);
      return `duplicate key ${key} = ${value.slice(0, 60)}`;
    },
  }),
  mutation({
    name: "content type",
    phase: "http",
    weight: 3,
    applies: (d) => d.body !== undefined || d.seed.json !== undefined,
    apply(d, random) {
      const type = random.pick(CONTENT_TYPES);
      d.contentType = type.value;
      return `content-type ${JSON.stringify(type.value)}`;
    },
  }),
  mutation({
    name: "method",
    phase: "http",
    weight: 2,
    applies: () => true,
    apply(d, random) {
      d.method = random.pick(
        ["GET", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "HEAD"].filter((m) => m !== d.method),
      );
      return `method ${d.method}`;
    },
  }),
  mutation({
    name: "body on GET",
    phase: "http",
    weight: 1,
    applies: (d) => d.seed.method === "GET",
    apply(d, random) {
      d.body = Buffer.from(random.pick(['{"run_id":"x"}', "{", "null", "[]", "x"]));
      d.contentType = random.pick(["application/json", "text/plain"]);
      return `GET with body ${d.body.toString()}`;
    },
  }),
  mutation({
    name: "path",
    phase: "http",
    weight: 2,
    applies: () => true,
    apply(d, random) {
      const variants: readonly ((path: string) => string)[] = [
        (p) => `${p}/`,
        (p) => p.replace("/api/", "//api/"),
        (p) => p.toUpperCase(),
        (p) => p.replace("/api/2.0/", "/ajax-api/2.0/"),
        (p) => p.replace("/api/2.0/", "/api/2.1/"),
        (p) => `${p}/extra`,
        (p) => `${p}%00`,
        (p) => `${p}%2F`,
        (p) => `${p};x=1`,
        (p) => p.replace(/\/[^/]*$/, "/%ZZ"),
      ];
      d.path = random.pick(variants)(d.path);
      return `path ${d.path.slice(0, 80)}`;
    },
  }),
];

const PHASES: readonly Phase[] = ["structure", "bytes", "http"];

function pickMutation(candidates: readonly Mutation[], random: SeededRandom): Mutation {
  const total = candidates.reduce((sum, m) => sum + m.weight, 0);
  let at = (random.int(1_000_000) / 1_000_000) * total;
  for (const m of candidates) {
    at -= m.weight;
    if (at < 0) return m;
  }
  return candidates[candidates.length - 1] as Mutation;
}

/** The seed's request as it stands. */
export function seedRequest(seed: TrackingSeed): FuzzRequest {
  return finish(newDraft(seed));
}

/** One or two mutations of the seed, in phase order; each sees the draft as the earlier ones left it. */
export function mutatedRequest(seed: TrackingSeed, random: SeededRandom): FuzzRequest {
  const draft = newDraft(seed);
  const chosen: Mutation[] = [];
  const count = random.chance(0.3) ? 2 : 1;
  for (let i = 0; i < count; i++) {
    const candidates = MUTATIONS.filter((m) => m.applies(draft) && !chosen.includes(m));
    chosen.push(pickMutation(candidates, random));
  }
  for (const phase of PHASES) {
    if (phase !== "structure") serializeJson(draft);
    for (const m of chosen.filter((c) => c.phase === phase)) {
      // An earlier edit may have made this one meaningless (a dropped query, a body replaced by raw text).
      if (m.applies(draft)) draft.steps.push(m.apply(draft, random));
    }
  }
  return finish(draft);
}
