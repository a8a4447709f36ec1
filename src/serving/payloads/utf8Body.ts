/**
 * Request bodies as UTF-8 text. The MLflow scoring server reads only UTF-8, so invalid bytes are a 400 that
 * says where they are (offset and line), not a replacement character that turns into a confusing value later.
 */
import { isUtf8 } from "node:buffer";
import { FlowOpsError } from "../../errors.js";

/** Decodes `body` as UTF-8; `what` names the body in the error ("CSV body"). */
export function decodeUtf8Body(body: Buffer | string, what: string): string {
  if (typeof body === "string") return body;
  if (isUtf8(body)) return body.toString("utf8");
  const offset = firstInvalidUtf8Offset(body);
  let line = 1;
  for (let i = 0; i < offset; i++) if (body[i] === 0x0a) line++;
  const byte = (body[offset] ?? 0).toString(16).toUpperCase().padStart(2, "0");
  throw new FlowOpsError(
    "BAD_REQUEST",
    `Invalid input. The ${what} is not valid UTF-8: byte 0x${byte} at offset ${offset} (line ${line}). ` +
      "The scoring server only supports UTF-8; re-encode the data (for example from Latin-1) as UTF-8.",
  );
}

/** Offset of the first byte that does not start or continue a well-formed UTF-8 sequence. */
function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i] as number;
    let length: number;
    let min = 0x80;
    let max = 0xbf;
    if (lead < 0x80) length = 1;
    else if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) min = 0xa0;
      if (lead === 0xed) max = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) min = 0x90;
      if (lead === 0xf4) max = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const next = bytes[i + k];
      const low = k === 1 ? min : 0x80;
      const high = k === 1 ? max : 0xbf;
      if (next === undefined || next < low || next > high) return i;
    }
    i += length;
  }
  return bytes.length;
}
