/**
 * The request the fuzz test builds from a seed while mutations apply to it, and what each mutation is: the
 * mutation tables (requestFuzzJsonMutations, requestFuzzByteMutations, requestFuzzHttpMutations) edit a Draft;
 * requestFuzzMutations picks and orders them. A mutation that makes the request invalid under its protocol's
 * spec says why, as a fault of its body or of its route, so the test can also catch a 200 for input that must be
 * refused. Test-only; nothing in the product imports it.
 */
import type { FuzzSeed, FuzzServer } from "./requestFuzzSeeds.js";
import { WEIRD_JSON, type FuzzRandom } from "./requestFuzzValues.js";

export interface FuzzRequest {
  server: FuzzServer;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  /** The request is invalid: why, and the status the protocol answers when it is certain. */
  mustFail?: Fault;
  /** The mutations applied, in order, for the failure report. */
  steps: string[];
}

export interface Fault {
  why: string;
  status?: number;
}

/** A request being built: `value` is the JSON body or binary header until `serialize` writes `body`. */
export interface Draft {
  seed: FuzzSeed;
  request: FuzzRequest;
  value: unknown;
  /** Whether the text is still the JSON that JSON.stringify wrote (so JSON.parse tells whether it is valid). */
  plainJson: boolean;
  /** Why the body (its JSON, bytes or binary framing) is invalid, as the last edit of it found. */
  bodyFault?: Fault | undefined;
  /** Why the path, method or media type is refused, whatever the body. */
  routeFault?: Fault | undefined;
  /** How many mutations edited the body: a second may undo the first (a cut, then bytes appended). */
  bodyEdits: number;
}

export type Phase = "structure" | "bytes" | "http";

export interface Mutation {
  phase: Phase;
  /** What it edits: a body edit's verdict replaces the one before; "decisive" ones hold whatever came before. */
  touches: "body" | "route" | "neither";
  decisive?: boolean;
  weight: number;
  applies(seed: FuzzSeed): boolean;
  /** Edits the draft; returns what it did, for the report. */
  apply(draft: Draft, random: FuzzRandom): string;
}

/** The fuzz servers' body limit: small, so oversized bodies are cheap to send. */
export const FUZZ_BODY_LIMIT = 256 * 1024;
export const HEADER_LENGTH = "inference-header-content-length";
const PLACEHOLDER = /"@@weird:(\d+)@@"/g;

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
export const isJsonLike = (seed: FuzzSeed): boolean => seed.kind === "json" || seed.kind === "binary";
export const hasBody = (seed: FuzzSeed): boolean => seed.kind !== "get";

export function invalidBody(draft: Draft, why: string, status?: number): void {
  draft.bodyFault = status === undefined ? { why } : { why, status };
}

export function invalidRoute(draft: Draft, why: string, status?: number): void {
  draft.routeFault ??= status === undefined ? { why } : { why, status };
}

/** The body so far; an earlier mutation may have dropped it. */
export function bodyOf(draft: Draft): Buffer {
  return draft.request.body ?? Buffer.alloc(0);
}

/** A placeholder string for WEIRD_JSON[i], which `serialize` writes as that raw text. */
export function weirdPlaceholder(random: FuzzRandom): { placeholder: string; shown: string } {
  const index = random.int(WEIRD_JSON.length);
  const shown = (WEIRD_JSON[index] as string).slice(0, 30);
  return { placeholder: `@@weird:${index}@@`, shown };
}

export function parsesAsJson(body: Buffer): boolean {
  try {
    JSON.parse(body.toString("utf8"));
    return true;
  } catch {
    return false;
  }
}

export function newDraft(seed: FuzzSeed): Draft {
  const request: FuzzRequest = {
    server: seed.server,
    method: "POST",
    path: seed.path,
    headers: {},
    body: undefined,
    steps: [],
  };
  const draft = (value: unknown, plainJson: boolean): Draft => ({
    seed,
    request,
    value,
    plainJson,
    bodyEdits: 0,
  });
  switch (seed.kind) {
    case "json":
      request.headers["content-type"] = "application/json";
      return draft(structuredClone(seed.value), true);
    case "binary":
      request.headers["content-type"] = "application/octet-stream";
      return draft(structuredClone(seed.header), true);
    case "csv":
      request.headers["content-type"] = "text/csv";
      return draft(seed.text, false);
    case "get":
      request.method = "GET";
      return draft(undefined, false);
  }
}

/** Writes the draft's value into its body (and a binary body's header length). */
export function serialize(draft: Draft): void {
  const { seed, request } = draft;
  if (seed.kind === "get") return;
  if (seed.kind === "csv") {
    request.body = Buffer.from(draft.value as string, "utf8");
    return;
  }
  const json = JSON.stringify(draft.value);
  if (json.includes("@@weird")) draft.plainJson = false;
  const text = json.replace(PLACEHOLDER, (_, index: string) => WEIRD_JSON[Number(index)] as string);
  if (seed.kind === "json") {
    request.body = Buffer.from(text, "utf8");
    return;
  }
  const header = Buffer.from(text, "utf8");
  request.headers[HEADER_LENGTH] = String(header.length);
  request.body = Buffer.concat([header, ...seed.chunks]);
}
