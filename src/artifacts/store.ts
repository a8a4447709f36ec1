/**
 * The artifact storage seam. A backend supplies streaming primitives only (write, read, list, stat,
 * delete); everything built from them (tree downloads, run-relative views, the HTTP proxy) is written once
 * above this interface. Implementations never hold a whole file in memory and never let a path leave
 * their root. Optional features are capability interfaces with type guards, not backend-name checks.
 */
import type { Readable } from "node:stream";
import { FlowOpsError } from "../errors.js";

/** One child of a listed directory, in MLflow's `FileInfo` shape. */
export interface ArtifactEntry {
  /** Relative to the store root, `/`-separated, like MLflow's `list_artifacts`. */
  path: string;
  is_dir: boolean;
  /** Bytes; absent for directories. */
  file_size?: number;
}

/**
 * A file's `etag`, where the storage has one (S3), names the content the size belongs to, so a later read can
 * ask for exactly that content and learn when the file was replaced in between.
 */
export type ArtifactStat = { is_dir: true } | { is_dir: false; file_size: number; etag?: string };

export interface ArtifactStore {
  /** The URI this store is rooted at, for messages and `root_uri` responses. */
  readonly rootUri: string;
  /**
   * Streams `body` to the file at `path`, replacing it if present. The file becomes visible only once
   * complete: a failed write leaves neither a partial file nor the previous content half-overwritten.
   */
  write(path: string, body: Readable): Promise<void>;
  /** Opens the file at `path` for reading; RESOURCE_DOES_NOT_EXIST when it is missing or a directory. */
  read(path: string): Promise<Readable>;
  /** Direct children of the directory `dir` (`""` is the root), sorted by path; a file or missing dir gives []. */
  list(dir: string): Promise<ArtifactEntry[]>;
  /** What is at `path`, or undefined when nothing is. */
  stat(path: string): Promise<ArtifactStat | undefined>;
  /** Removes the file or the whole directory at `path` (`""` empties the store); missing is not an error. */
  delete(path: string): Promise<void>;
}

/** A store whose files are ordinary local files, so runtimes can open them in place instead of copying. */
export interface LocalPathStore extends ArtifactStore {
  /** The absolute, symlink-checked filesystem path of `path`. */
  localPath(path: string): Promise<string>;
}

export function supportsLocalPaths(store: ArtifactStore): store is LocalPathStore {
  return typeof (store as Partial<LocalPathStore>).localPath === "function";
}

/**
 * A store that reads part of a file without reading what comes before it (S3's ranged GET), so a download
 * asked for one range of a large object moves only that range.
 */
export interface RangedReadStore extends ArtifactStore {
  /**
   * The bytes of the file at `path` in [start, end), with 0 <= start < end <= its size. With `ifMatch` (a
   * stat's etag), ABORTED (artifactChanged) when the file is no longer that content.
   */
  readRange(path: string, start: number, end: number, ifMatch?: string): Promise<Readable>;
}

/**
 * The file was replaced between the stat that sized an answer and the read of its bytes; sending the new bytes
 * under the old length would cut or pad the answer, so the caller looks the file up again.
 */
export function artifactChanged(path: string): FlowOpsError {
  const error = new FlowOpsError("ABORTED", `Artifact '${path}' changed while it was being read; try again.`);
  changedErrors.add(error);
  return error;
}

/** Only this refusal is worth a fresh look-up; another ABORTED from a store means something else. */
const changedErrors = new WeakSet<FlowOpsError>();

export function isArtifactChanged(error: unknown): boolean {
  return error instanceof FlowOpsError && changedErrors.has(error);
}

export function supportsRangedRead(store: ArtifactStore): store is RangedReadStore {
  return typeof (store as Partial<RangedReadStore>).readRange === "function";
}

/** One presigned part of a multipart upload, as MLflow's `MultipartUploadCredential`. */
export interface MultipartUploadCredential {
  url: string;
  /** 1-based, as S3 numbers parts. */
  part_number: number;
  /** Headers the client must send with the part's PUT; none for plain S3. */
  headers: Record<string, string>;
}

export interface MultipartUploadCreated {
  upload_id: string;
  credentials: MultipartUploadCredential[];
}

/** A part the client sent, with the ETag the storage answered. */
export interface MultipartUploadPart {
  part_number: number;
  etag: string;
}

/**
 * A store that can take a file as parts sent straight to the storage (MLflow's `MultipartUploadMixin`): the
 * server only opens the upload and signs part URLs, so large files never stream through it. `path` is the
 * file's full path relative to the store root.
 */
export interface MultipartUploadStore extends ArtifactStore {
  /** Opens an upload and signs `numParts` part URLs (none when 0). */
  createMultipartUpload(path: string, numParts: number): Promise<MultipartUploadCreated>;
  /** Joins the parts into the file at `path`, which appears only now. */
  completeMultipartUpload(path: string, uploadId: string, parts: MultipartUploadPart[]): Promise<void>;
  /** Drops the upload and every part sent for it. */
  abortMultipartUpload(path: string, uploadId: string): Promise<void>;
}

export function supportsMultipartUpload(store: ArtifactStore): store is MultipartUploadStore {
  const candidate = store as Partial<MultipartUploadStore>;
  return (
    typeof candidate.createMultipartUpload === "function" &&
    typeof candidate.completeMultipartUpload === "function" &&
    typeof candidate.abortMultipartUpload === "function"
  );
}

/** MLflow's `_UnsupportedMultipartUploadException` text; the client falls back to one PUT only on this prefix. */
export const MULTIPART_UNSUPPORTED = "Multipart upload is not supported for the current artifact repository";

/** The refusal MLflow sends (501 NOT_IMPLEMENTED) when the artifact store cannot take parts. */
export function multipartUnsupported(): FlowOpsError {
  return new FlowOpsError("NOT_IMPLEMENTED", MULTIPART_UNSUPPORTED);
}

/** A URL that reads one file straight from the storage (MLflow's `PresignedDownloadUrlResponse`). */
export interface PresignedDownload {
  url: string;
  /** Headers the client must send with its GET; none for plain S3. */
  headers: Record<string, string>;
  /** Bytes, so the client can fetch the file in ranges; absent when the storage did not say. */
  file_size?: number;
}

/** A URL that writes one file straight to the storage (MLflow's `CreatePresignedUploadResponse`). */
export interface PresignedUpload {
  presigned_url: string;
  /** Headers the client must send with its PUT: the URL was signed with them (Content-Type at least). */
  headers: Record<string, string>;
}

/**
 * A store that can sign URLs reading its files directly (MLflow's `MultipartDownloadMixin`), so a client
 * downloads a large file in parallel ranges without the bytes passing through the server.
 */
export interface PresignedDownloadStore extends ArtifactStore {
  /** RESOURCE_DOES_NOT_EXIST when no file is at `path`; the URL is valid for `expiresIn` seconds. */
  presignDownload(path: string, expiresIn: number): Promise<PresignedDownload>;
}

export function supportsPresignedDownload(store: ArtifactStore): store is PresignedDownloadStore {
  return typeof (store as Partial<PresignedDownloadStore>).presignDownload === "function";
}

/** A store that can sign a URL writing one file directly (MLflow's `PresignedUploadMixin`). */
export interface PresignedUploadStore extends ArtifactStore {
  presignUpload(path: string, expiresIn: number): Promise<PresignedUpload>;
}

export function supportsPresignedUpload(store: ArtifactStore): store is PresignedUploadStore {
  return typeof (store as Partial<PresignedUploadStore>).presignUpload === "function";
}

/**
 * MLflow's refusals when a store cannot sign URLs, all 501 NOT_IMPLEMENTED. The proxy's presigned GET says
 * "Multipart download" (the client's ranged download is what it serves); the run-level RPCs say "Presigned".
 */
export function multipartDownloadUnsupported(): FlowOpsError {
  return new FlowOpsError(
    "NOT_IMPLEMENTED",
    "Multipart download is not supported for the current artifact repository",
  );
}

export function presignedDownloadUnsupported(): FlowOpsError {
  return new FlowOpsError(
    "NOT_IMPLEMENTED",
    "Presigned download is not supported for the current artifact repository",
  );
}

export function presignedUploadUnsupported(): FlowOpsError {
  return new FlowOpsError(
    "NOT_IMPLEMENTED",
    "Presigned upload is not supported for the current artifact repository",
  );
}

/** Joins `/`-separated relative paths, skipping empty parts (`""` is the root). */
export function joinArtifactPath(...parts: string[]): string {
  return parts.filter((part) => part !== "").join("/");
}

/** The last segment of a relative path, as MLflow's proxy list reports names. */
export function artifactBasename(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? path : path.slice(slash + 1);
}
