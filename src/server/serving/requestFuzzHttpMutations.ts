/**
 * Fuzz mutations of what travels around a request's body: the binary framing (Inference-Header-Content-Length,
 * bytes past the inputs), content type, request id, an empty or oversized body, the path (model names and
 * versions, percent-encoded or unknown; V1 verbs; suffixes) and the method. Test-only; nothing in the product
 * imports it.
 */
import {
  bodyOf,
  FUZZ_BODY_LIMIT,
  hasBody,
  HEADER_LENGTH,
  invalidBody,
  invalidRoute,
  type Draft,
  type Mutation,
} from "./requestFuzzDraft.js";
import type { FuzzServer } from "./requestFuzzSeeds.js";
import {
  CONTENT_TYPES,
  NAME_VARIANTS,
  PATH_SUFFIXES,
  REQUEST_IDS,
  VERBS,
  VERSION_VARIANTS,
  type FuzzRandom,
} from "./requestFuzzValues.js";

const SERVED: Record<FuzzServer, readonly string[]> = {
  main: ["mlp", "pair", "echo"],
  pair: ["pair"],
  echo: ["echo"],
};

const isMlflow = (draft: Draft): boolean => draft.seed.path === "/invocations";

const http = (
  weight: number,
  touches: Mutation["touches"],
  apply: Mutation["apply"],
  applies: Mutation["applies"] = hasBody,
): Mutation => ({ phase: "http", touches, weight, applies, apply });

export const HTTP_MUTATIONS: Readonly<Record<string, Mutation>> = {
  headerLength: http(
    5,
    "body",
    (draft, random) => {
      const headers = draft.request.headers;
      const length = Number(headers[HEADER_LENGTH]);
      if (random.chance(0.1)) {
        delete headers[HEADER_LENGTH];
        invalidBody(draft, "binary tensor data without Inference-Header-Content-Length", 400);
        return "drop Inference-Header-Content-Length";
      }
      const total = bodyOf(draft).length;
      const to = random.pick([
        ...["0", "-1", "abc", "", " ", "1e2", "0x10", "16, 16", "99999999999999999999"],
        ...[String(length - 1), String(length + 1), String(total), String(total + 1), ` ${length} `],
      ]);
      headers[HEADER_LENGTH] = to;
      if (!/^\s*\d+\s*$/.test(to) || Number(to) !== length) {
        invalidBody(draft, "an Inference-Header-Content-Length that is not the JSON header's length", 400);
      }
      return `Inference-Header-Content-Length to ${JSON.stringify(to)}`;
    },
    (seed) => seed.kind === "binary",
  ),
  appendBytes: http(
    2,
    "body",
    (draft, random) => {
      const extra = Buffer.alloc(1 + random.int(8), 7);
      draft.request.body = Buffer.concat([bodyOf(draft), extra]);
      invalidBody(draft, "binary data beyond the inputs' binary_data_size", 400);
      return `append ${extra.length} bytes`;
    },
    (seed) => seed.kind === "binary",
  ),
  headerLengthOnJson: http(
    1,
    "body",
    (draft, random) => {
      const length = bodyOf(draft).length;
      const to = random.pick([String(length), String(length - 1), "1", "x"]);
      draft.request.headers[HEADER_LENGTH] = to;
      if (to !== String(length)) invalidBody(draft, "a JSON body framed as binary with a wrong length", 400);
      return `Inference-Header-Content-Length ${to} on a JSON body`;
    },
    (seed) => seed.kind === "json" && seed.path.startsWith("/v2/"),
  ),
  contentType: http(4, "route", (draft, random) => {
    const choice = random.pick(CONTENT_TYPES);
    if (choice.value === undefined) delete draft.request.headers["content-type"];
    else draft.request.headers["content-type"] = choice.value;
    if (isMlflow(draft) && choice.mlflow === "other") {
      // Read as another of MLflow's formats, the body is valid or not whatever it was before: an edit of it.
      draft.bodyFault = undefined;
      draft.bodyEdits++;
    }
    if (isMlflow(draft) && choice.mlflow === 415)
      invalidRoute(draft, "a media type MLflow does not take", 415);
    return `content-type ${JSON.stringify(choice.value)}`;
  }),
  requestId: http(
    1,
    "neither",
    (draft, random) => {
      const id = random.pick(REQUEST_IDS);
      draft.request.headers["x-request-id"] = id;
      return `x-request-id ${JSON.stringify(id.slice(0, 20))}`;
    },
    () => true,
  ),
  emptyBody: {
    ...http(1, "body", (draft, random) => {
      draft.request.body = random.chance(0.5) ? Buffer.alloc(0) : undefined;
      invalidBody(draft, "a POST without a body", 400);
      return draft.request.body === undefined ? "no body" : "empty body";
    }),
    decisive: true,
  },
  oversized: {
    ...http(0.3, "body", (draft) => {
      const body = bodyOf(draft);
      draft.request.body = Buffer.concat([body, Buffer.alloc(FUZZ_BODY_LIMIT + 1 - body.length, 0x20)]);
      invalidBody(draft, "a body over the server's limit", 413);
      return `pad the body to ${FUZZ_BODY_LIMIT + 1} bytes`;
    }),
    decisive: true,
  },
  path: http(
    5,
    "route",
    (draft, random) => mutatePath(draft, random),
    () => true,
  ),
  method: http(
    1,
    "route",
    (draft, random) => {
      const from = draft.request.method;
      const seedMethod = draft.seed.kind === "get" ? "GET" : "POST";
      const methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"].filter((m) => m !== seedMethod);
      draft.request.method = random.pick(methods);
      if (draft.request.method === "GET" || draft.request.method === "DELETE") draft.request.body = undefined;
      invalidRoute(draft, `no route answers ${draft.request.method} here`, 404);
      return `method ${from} to ${draft.request.method}`;
    },
    () => true,
  ),
};

function mutatePath(draft: Draft, random: FuzzRandom): string {
  const request = draft.request;
  const model = /^\/v[12]\/models\/([^/:?]+)/.exec(request.path);
  const choice = random.int(4);
  if (choice === 0 && model !== null) {
    const name = model[1] as string;
    const variant = random.pick(NAME_VARIANTS);
    const text = variant.text(name);
    request.path = request.path.replace(`/models/${name}`, `/models/${text}`);
    if (variant.served === false || !SERVED[request.server].includes(name)) {
      invalidRoute(draft, `model '${text}' is not served`, 404);
    } else if (variant.served === "bad-url") invalidRoute(draft, "a path that does not decode", 400);
    return `model name to ${text.slice(0, 30)}`;
  }
  if (choice === 1 && request.path.includes("/versions/1/")) {
    const variant = random.pick(VERSION_VARIANTS);
    request.path = request.path.replace("/versions/1/", `/versions/${variant.text}/`);
    if (variant.served === false) invalidRoute(draft, `version '${variant.text}' is not served`, 404);
    else if (variant.served === "bad-url") invalidRoute(draft, "a path that does not decode", 400);
    return `version to ${variant.text}`;
  }
  if (choice === 2 && request.path.endsWith(":predict")) {
    const verb = random.pick(VERBS);
    request.path = request.path.replace(/:predict$/, verb);
    invalidRoute(draft, `V1 verb '${verb}' is not served`, 404);
    return `V1 verb to ${verb}`;
  }
  const suffix = random.pick(PATH_SUFFIXES);
  const query = request.path.indexOf("?");
  request.path =
    query === -1 || suffix.text.startsWith("?")
      ? request.path + suffix.text
      : request.path.slice(0, query) + suffix.text + request.path.slice(query);
  if (!suffix.ok) invalidRoute(draft, `no route for the path ${request.path}`, 404);
  return `path suffix ${suffix.text}`;
}
