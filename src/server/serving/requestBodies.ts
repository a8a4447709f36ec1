/**
 * Body parsing of the serving routes, set per route plugin: the KServe protocols read any body as JSON (curl
 * -d sends form encoding by default, and KServe's own server does not look at the type), while MLflow's
 * `/invocations` takes the raw bytes so its payload parser can apply MLflow's media-type rules (JSON or CSV,
 * UTF-8 only, else 415). V2 bodies sent with `Inference-Header-Content-Length` (the binary tensor data
 * extension, whatever their content type) are kept raw for the V2 parser to split. Each body is parsed once.
 */
import type { FastifyInstance } from "fastify";
import { FlowOpsError } from "../../errors.js";
import { parseJsonWithBigIntegers } from "../../tables/jsonBigIntegers.js";
import { parseJsonKeepingFloatLiterals } from "../../serving/payloads/jsonFloatLiterals.js";
import { INFERENCE_HEADER_CONTENT_LENGTH, V2BinaryBody } from "../../serving/payloads/modelInput.js";
import { decodeUtf8Body } from "../../serving/payloads/utf8Body.js";

export function parseEveryBodyAsJson(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => parseJson(body, done));
}

/**
 * KServe V1 bodies as parseEveryBodyAsJson reads them, as a LiteralJson: KServe's server types untyped
 * `instances` with np.array from json's Python values, where `1.0` is a float (JSON.parse: the integer 1).
 */
export function parseV1Bodies(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) =>
    parseJson(body, done, parseJsonKeepingFloatLiterals),
  );
}

/**
 * KServe V2 bodies: binary-framed ones become a V2BinaryBody (parsed in the handler, so their errors are counted
 * like any other bad request), every other body is read as JSON.
 */
export function parseV2Bodies(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", { parseAs: "buffer" }, (request, body, done) => {
    const bytes = typeof body === "string" ? Buffer.from(body, "utf8") : body;
    const headerLength = request.headers[INFERENCE_HEADER_CONTENT_LENGTH];
    if (headerLength !== undefined) done(null, new V2BinaryBody(headerLength, bytes));
    else parseJson(bytes, done, parseJsonWithBigIntegers, V2_BODY_NOT_UTF8);
  });
}

/**
 * Bytes that are not UTF-8 on a V2 route are most likely binary tensor data sent without its header; KServe 0.21
 * says so ("received byte inputs, but the 'inference-header-content-length' header is missing").
 */
const V2_BODY_NOT_UTF8 =
  "A body of binary tensor data needs the Inference-Header-Content-Length header, the length of its JSON header.";

function parseJson(
  body: Buffer | string,
  done: (error: Error | null, body?: unknown) => void,
  parse: (text: string) => unknown = parseJsonWithBigIntegers,
  notUtf8Hint?: string,
): void {
  let text: string;
  try {
    // JSON travels as UTF-8 (RFC 8259); decoding other bytes would put U+FFFD into names and BYTES values.
    text = decodeUtf8Body(body, "request body");
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    done(
      notUtf8Hint === undefined
        ? (error as Error)
        : new FlowOpsError("BAD_REQUEST", `${reason} ${notUtf8Hint}`),
    );
    return;
  }
  if (text.trim() === "") {
    done(new FlowOpsError("BAD_REQUEST", "request body is empty; expected a JSON object"), undefined);
    return;
  }
  try {
    // INT64 values beyond 2^53 stay exact (as BigInts); JSON.parse would round them to a double.
    done(null, parse(text));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    done(new FlowOpsError("BAD_REQUEST", `request body is not valid JSON: ${reason}`), undefined);
  }
}

export function keepEveryBodyRaw(scope: FastifyInstance): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser("*", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
}
