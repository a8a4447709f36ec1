/**
 * The validators MLflow's download routes put on a file, built the way its servers build them from the
 * file's stat, so a FlowOps tag has the same shape and changes on the same events: werkzeug's send_file tag
 * `"<st_mtime>-<size>-<adler32 of the path>"` on the Flask routes, Starlette's `"<md5 of st_mtime-size>"` on
 * the FastAPI proxy, and an HTTP date of the whole second for Last-Modified on both.
 */
import { createHash } from "node:crypto";

/**
 * Python's `os.stat().st_mtime` for a nanosecond time: CPython computes `sec + nsec * 1e-9` in doubles, so
 * the same operations here give the same float.
 */
export function pythonMtime(mtimeNs: bigint): number {
  const seconds = mtimeNs / 1_000_000_000n;
  const nanos = mtimeNs % 1_000_000_000n;
  return Number(seconds) + Number(nanos) * 1e-9;
}

/** Python's `repr(float)` for the values a file time takes: JS gives the same shortest digits, less `.0`. */
export function pythonFloatText(value: number): string {
  return Number.isInteger(value) && Math.abs(value) < 1e16 ? `${value}.0` : String(value);
}

/** zlib's adler32, as Python's `zlib.adler32` (Node's zlib does not export it). */
export function adler32(bytes: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of bytes) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return (b * 65536 + a) >>> 0;
}

/** werkzeug's send_file tag, unquoted. `identity` is the file's absolute path (MLflow hashes that). */
export function werkzeugEtag(mtime: number, size: number, identity: string): string {
  return `${pythonFloatText(mtime)}-${size}-${adler32(Buffer.from(identity, "utf8"))}`;
}

/** Starlette's FileResponse ETag header, quoted. */
export function starletteEtagHeader(mtime: number, size: number): string {
  const digest = createHash("md5")
    .update(`${pythonFloatText(mtime)}-${size}`)
    .digest("hex");
  return `"${digest}"`;
}

/** `Mon, 07 Dec 2026 10:01:07 GMT`: the whole second, as both werkzeug and `email.utils.formatdate` write it. */
export function httpDate(seconds: number): string {
  return new Date(Math.floor(seconds) * 1000).toUTCString();
}
