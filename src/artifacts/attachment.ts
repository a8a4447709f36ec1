/**
 * Response headers for sending an artifact file to a browser or client, as MLflow's
 * `_response_with_file_attachment_headers`: always an attachment (never rendered on the server's origin,
 * which would allow stored XSS), `nosniff`, and a Content-Type guessed from the name only — the server
 * never echoes a type the uploader chose. The file name is sanitised so a header cannot be split or
 * carry a path the client might write to (GHSA-5p3h-7fwh-92rc).
 */
import { artifactBasename } from "./store.js";

/** MLflow's TEXT_EXTENSIONS: shown as plain text by the UI; code and markup included, so never executed. */
const TEXT_EXTENSIONS = new Set([
  "txt", "log", "err", "cfg", "conf", "cnf", "cf", "ini", "properties", "prop", "hocon", "toml", "yaml",
  "yml", "xml", "json", "js", "py", "py3", "csv", "tsv", "md", "rst", "MLmodel", "mlproject",
]); // prettier-ignore

/** The subset of Python's mimetypes table that artifacts commonly use. */
const MEDIA_TYPES: Record<string, string> = {
  html: "text/html",
  htm: "text/html",
  css: "text/css",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  bmp: "image/bmp",
  webp: "image/webp",
  svg: "image/svg+xml",
  tif: "image/tiff",
  tiff: "image/tiff",
  ico: "image/vnd.microsoft.icon",
  pdf: "application/pdf",
  zip: "application/zip",
  tar: "application/x-tar",
  mp3: "audio/mpeg",
  wav: "audio/x-wav",
  mp4: "video/mp4",
  webm: "video/webm",
  ipynb: "application/x-ipynb+json",
};

const FALLBACK = "application/octet-stream";

/** werkzeug's `_token_chars`: a name made only of these goes out unquoted. */
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/;

/** RFC 5987 attr-char beyond letters and digits: what `urllib.parse.quote(name, safe="!#$&+-.^_`|~")` keeps. */
const ATTR_CHARS = new Set("!#$&+-.^_`|~");

export function guessContentType(path: string): string {
  const name = artifactBasename(path);
  const dot = name.lastIndexOf(".");
  // No extension: MLflow looks the whole name up, which is how `MLmodel` becomes text.
  const extension = dot <= 0 ? name : name.slice(dot + 1);
  if (TEXT_EXTENSIONS.has(extension)) return "text/plain";
  return MEDIA_TYPES[extension.toLowerCase()] ?? FALLBACK;
}

/**
 * MLflow's `_content_disposition_attachment`: an ASCII name as werkzeug's `quote_header_value`; any other
 * name with its NFKD form stripped to ASCII (`download` when nothing is left) beside the exact UTF-8 name.
 */
export function contentDisposition(path: string): string {
  const name = artifactBasename(path);
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(name)) return `attachment; filename=${quoteHeaderValue(name)}`;
  // eslint-disable-next-line no-control-regex
  const ascii = name.normalize("NFKD").replace(/[^\x00-\x7f]/g, "") || "download";
  return `attachment; filename=${quoteHeaderValue(ascii)}; filename*=UTF-8''${quoteAttrChars(name)}`;
}

/**
 * werkzeug's `quote_header_value(allow_token=True)`. Control characters, which werkzeug would pass into the
 * header and Node refuses to send, become `_` so the download still works (GHSA-5p3h-7fwh-92rc).
 */
function quoteHeaderValue(value: string): string {
  if (value === "") return '""';
  if (TOKEN.test(value)) return value;
  // eslint-disable-next-line no-control-regex
  const escaped = value.replace(/[\x00-\x1f\x7f]/g, "_").replace(/[\\"]/g, (c) => `\\${c}`);
  return `"${escaped}"`;
}

function quoteAttrChars(name: string): string {
  let quoted = "";
  for (const byte of Buffer.from(name, "utf8")) {
    const char = String.fromCharCode(byte);
    quoted +=
      /[A-Za-z0-9]/.test(char) || ATTR_CHARS.has(char)
        ? char
        : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return quoted;
}

export function attachmentHeaders(path: string): Record<string, string> {
  return {
    "content-type": guessContentType(path),
    "content-disposition": contentDisposition(path),
    "x-content-type-options": "nosniff",
  };
}
