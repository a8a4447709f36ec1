/**
 * Artifact calls of the client through the server's mlflow-artifacts proxy (`/api/2.0/mlflow-artifacts`):
 * upload streams a file with PUT (re-opened per attempt, so retries resend it whole), list returns paths
 * relative to the run or model root as MLflow's `list_artifacts` does, download streams to disk and walks
 * directories. Only proxied locations (`mlflow-artifacts:` URIs, or the proxy's HTTP form) can be reached:
 * a run whose artifact root is plain storage must be read with that storage's own tools.
 */
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { FlowOpsError } from "../errors.js";
import type { HttpTransport } from "./http.js";
import type { RunsApi } from "./runs.js";

/** Whose artifacts: a run (its artifact_uri is looked up) or any proxied artifact URI. */
export type ArtifactTarget = { runId: string } | { artifactUri: string };

export interface ArtifactFile {
  /** Relative to the target root, `/`-separated. */
  path: string;
  is_dir: boolean;
  file_size?: number;
}

const PROXY = "/api/2.0/mlflow-artifacts/artifacts";

export class ArtifactsApi {
  constructor(
    private readonly http: HttpTransport,
    private readonly runs: RunsApi,
  ) {}

  /**
   * Uploads a local file into `artifactPath` (a directory, the root by default), keeping its name; or a
   * stream to the file path `artifactPath`. A stream cannot be replayed, so it is not retried.
   * @example await client.artifacts.uploadArtifact({ runId }, "./model.pkl", "model");
   */
  async uploadArtifact(
    target: ArtifactTarget,
    source: string | Readable,
    artifactPath?: string,
  ): Promise<void> {
    const root = await this.proxyRoot(target);
    const filePath =
      typeof source === "string" ? joinPath(artifactPath ?? "", basename(source)) : (artifactPath ?? "");
    if (filePath === "") {
      throw new FlowOpsError("INVALID_PARAMETER_VALUE", "An artifact path is required to upload a stream.");
    }
    const body = () =>
      Readable.toWeb(
        typeof source === "string" ? createReadStream(source) : source,
      ) as unknown as ReadableStream;
    await this.http.send({
      method: "PUT",
      path: `${PROXY}/${encodePath(joinPath(root, filePath))}`,
      headers: { "Content-Type": "application/octet-stream" },
      body,
      idempotent: typeof source === "string",
    });
  }

  /**
   * The direct children of a directory (the root by default); a file or a missing path gives [].
   * @example const files = await client.artifacts.listArtifacts({ runId }, "model");
   */
  async listArtifacts(target: ArtifactTarget, path = ""): Promise<ArtifactFile[]> {
    return this.listUnder(await this.proxyRoot(target), trimSlashes(path));
  }

  /**
   * Downloads a file, or a directory tree, to `localPath` (the file or directory to create).
   * @example await client.artifacts.downloadArtifact({ runId }, "model", "./downloaded/model");
   */
  async downloadArtifact(target: ArtifactTarget, artifactPath: string, localPath: string): Promise<void> {
    await this.download(await this.proxyRoot(target), trimSlashes(artifactPath), localPath);
  }

  private async download(root: string, path: string, localPath: string): Promise<void> {
    const children = await this.listUnder(root, path);
    if (children.length === 0 && path !== "") {
      const response = await this.http.send({
        method: "GET",
        path: `${PROXY}/${encodePath(joinPath(root, path))}`,
      });
      await mkdir(dirname(localPath), { recursive: true });
      await pipeline(Readable.fromWeb(response.body as never), createWriteStream(localPath));
      return;
    }
    await mkdir(localPath, { recursive: true });
    for (const child of children) {
      const name = child.path.slice(child.path.lastIndexOf("/") + 1);
      await this.download(root, child.path, join(localPath, name));
    }
  }

  private async listUnder(root: string, path: string): Promise<ArtifactFile[]> {
    const query = new URLSearchParams({ path: joinPath(root, path) }).toString();
    const response = await this.http.send({ method: "GET", path: `${PROXY}?${query}` });
    const listing = (await response.json()) as { files?: ArtifactFile[] };
    return (listing.files ?? []).map((file) => ({ ...file, path: joinPath(path, basenameOf(file.path)) }));
  }

  /** The path under the proxy that the target's files live at. */
  private async proxyRoot(target: ArtifactTarget): Promise<string> {
    const uri =
      "runId" in target ? (await this.runs.get(target.runId)).info.artifact_uri : target.artifactUri;
    const path = proxiedPath(uri);
    if (path === undefined) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `Artifact URI '${uri}' is not served by the tracking server's artifact proxy (expected mlflow-artifacts:/...).`,
      );
    }
    return path;
  }
}

/** `mlflow-artifacts:/p`, `mlflow-artifacts://host/p` or `http(s)://host/api/2.0/mlflow-artifacts/artifacts/p`. */
export function proxiedPath(uri: string): string | undefined {
  if (uri.startsWith("mlflow-artifacts:")) {
    const rest = uri.slice("mlflow-artifacts:".length);
    return trimSlashes(rest.startsWith("//") ? rest.slice(2).replace(/^[^/]*/, "") : rest);
  }
  if (/^https?:\/\//.test(uri)) {
    const pathname = new URL(uri).pathname;
    const at = pathname.indexOf(PROXY);
    return at === -1 ? undefined : trimSlashes(decodeURIComponent(pathname.slice(at + PROXY.length)));
  }
  return undefined;
}

function joinPath(...parts: string[]): string {
  return parts
    .map(trimSlashes)
    .filter((p) => p !== "")
    .join("/");
}

function trimSlashes(path: string): string {
  return path.replace(/^\/+|\/+$/g, "");
}

function basenameOf(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

function encodePath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}
