/**
 * A tracking-server fuzz request while it is being mutated: a JSON tree that may hold raw text (values
 * JSON.stringify cannot write), query pairs kept percent-encoded as they will be sent, and then the bytes.
 * Test-only; nothing in the product imports it.
 */
import type { SeededRandom } from "../seededRandom.js";
import type { TrackingSeed } from "./trackingFuzzCorpus.js";

/** A JSON value written exactly as its text, which may be invalid JSON on purpose. */
export class RawJson {
  constructor(readonly text: string) {}
}

export interface FuzzRequest {
  seed: string;
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  steps: string[];
  /** Why the request must not get a 2xx, when a mutation made it invalid whatever else happened. */
  mustFail?: string;
}

export interface Draft {
  seed: TrackingSeed;
  method: string;
  path: string;
  artifactPath: string | undefined;
  /** Query pairs, both sides already percent-encoded (or broken on purpose). */
  query: [string, string][];
  /** Text appended to the query string as it stands. */
  querySuffix: string;
  json: unknown;
  body: Buffer | undefined;
  contentType: string | undefined;
  steps: string[];
  /** Why the body is invalid whatever else happens; it holds while the method still reads a body. */
  bodyFault?: string;
}

export type Phase = "structure" | "bytes" | "http";

export interface Mutation {
  name: string;
  phase: Phase;
  weight: number;
  applies(draft: Draft): boolean;
  /** Edits the draft; answers a short description for the failure report. */
  apply(draft: Draft, random: SeededRandom): string;
}

export function newDraft(seed: TrackingSeed): Draft {
  const query: [string, string][] = [];
  for (const [key, value] of Object.entries(seed.query ?? {})) {
    for (const item of typeof value === "string" ? [value] : value) {
      query.push([encodeURIComponent(key), encodeURIComponent(item)]);
    }
  }
  return {
    seed,
    method: seed.method,
    path: seed.path,
    artifactPath: seed.artifactPath,
    query,
    querySuffix: "",
    json: seed.json === undefined ? undefined : structuredClone(seed.json),
    body: seed.bytes,
    contentType:
      seed.json !== undefined ? "application/json" : seed.bytes !== undefined ? "text/plain" : undefined,
    steps: [],
  };
}

/** Writes the JSON tree to bytes; raw values go in as their text. */
export function serializeJson(draft: Draft): void {
  if (draft.json === undefined) return;
  const raws: string[] = [];
  const marker = "\u0000raw:";
  const text = JSON.stringify(draft.json, (_key, value: unknown) => {
    if (!(value instanceof RawJson)) return value;
    raws.push(value.text);
    return `${marker}${raws.length - 1}`;
  });
  const written = text.replace(/"\\u0000raw:(\d+)"/g, (_all, index: string) => raws[Number(index)] ?? "");
  draft.body = Buffer.from(written, "utf8");
  draft.json = undefined;
}

export function finish(draft: Draft): FuzzRequest {
  serializeJson(draft);
  const pairs = draft.query.map(([key, value]) => `${key}=${value}`).join("&");
  const query = `${pairs}${draft.querySuffix}`;
  const path = draft.artifactPath === undefined ? draft.path : `${draft.path}/${draft.artifactPath}`;
  const mustFail = artifactEscape(draft.seed.path, draft.path, draft.artifactPath) ?? bodyVerdict(draft);
  const headers: Record<string, string> = {};
  if (draft.contentType !== undefined && draft.body !== undefined)
    headers["content-type"] = draft.contentType;
  return {
    seed: draft.seed.name,
    method: draft.method,
    url: query === "" ? path : `${path}?${query}`,
    headers,
    body: draft.body,
    steps: draft.steps,
    ...(mustFail === undefined ? {} : { mustFail }),
  };
}

/** Where a JSON value sits in the tree: the container and the key or index that holds it. */
export interface Slot {
  parent: Record<string, unknown> | unknown[];
  key: string | number;
}

/** Every slot in the tree, depth first, skipping raw values. */
export function slotsOf(value: unknown): Slot[] {
  const slots: Slot[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((child, index) => {
        slots.push({ parent: node, key: index });
        walk(child);
      });
    } else if (node !== null && typeof node === "object" && !(node instanceof RawJson)) {
      for (const [key, child] of Object.entries(node)) {
        slots.push({ parent: node as Record<string, unknown>, key });
        walk(child);
      }
    }
  };
  walk(value);
  return slots;
}

/** The objects in the tree, the root first. */
export function objectsOf(value: unknown): Record<string, unknown>[] {
  const found: Record<string, unknown>[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === "object" && !(node instanceof RawJson)) {
      found.push(node as Record<string, unknown>);
      Object.values(node).forEach(walk);
    }
  };
  walk(value);
  return found;
}

/** GET and HEAD read their fields from the query string; a broken body there is ignored, as MLflow does. */
function bodyVerdict(draft: Draft): string | undefined {
  return draft.method === "GET" || draft.method === "HEAD" ? undefined : draft.bodyFault;
}

/** Judged on the whole path below the proxy's root, so an edit of the route part is taken into account. */
function artifactEscape(root: string, path: string, artifactPath: string | undefined): string | undefined {
  if (artifactPath === undefined || !path.startsWith(root)) return undefined;
  const below = `${path.slice(root.length)}/${artifactPath}`.replace(/^\/+/, "");
  return escapesRoot(below) ? `artifact path ${below.slice(0, 80)} leaves the store` : undefined;
}

/** Whether an artifact path still leaves the store's root once fully decoded (mirrors what must be refused). */
function escapesRoot(path: string): boolean {
  let current = path;
  for (let round = 0; round < 10; round++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      return true;
    }
    if (next === current) break;
    current = next;
  }
  return current.startsWith("/") || /^[a-zA-Z]:/.test(current) || current.split(/[/\\]/).includes("..");
}
