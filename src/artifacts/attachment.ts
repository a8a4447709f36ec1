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

/** A header-safe token: the plain `filename=<name>` form MLflow sends. */
const TOKEN = /^[A-Za-z0-9!#$&+.^_`|~-]+$/;

export function guessContentType(path: string): string {
  const name = artifactBasename(path);
  const dot = name.lastIndexOf(".");
  // No extension: MLflow looks the whole name up, which is how `MLmodel` becomes text.
  const extension = dot <= 0 ? name : name.slice(dot + 1);
  if (TEXT_EXTENSIONS.has(extension)) return "text/plain";
  return MEDIA_TYPES[extension.toLowerCase()] ?? FALLBACK;
}

export function contentDisposition(path: string): string {
  const name = artifactBasename(path);
  if (TOKEN.test(name)) return `attachment; filename=${name}`;
  const ascii = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16)}`);
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

export function attachmentHeaders(path: string): Record<string, string> {
  return {
    "content-type": guessContentType(path),
    "content-disposition": contentDisposition(path),
    "x-content-type-options": "nosniff",
  };
}
