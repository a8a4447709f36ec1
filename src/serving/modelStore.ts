/**
 * Turns a model URI into a local directory. Remote models (registry versions and aliases, logged models, run
 * artifacts) are downloaded through the tracking server into `$FLOWOPS_HOME/models/<sha256 of content>/`
 * (a temp dir renamed into place, so a reader never sees half a model), and `models/index.json` maps each
 * URI to its digest and to what the server pointed it at when it was stored. Every resolve asks the server
 * again, as MLflow's `download_artifacts` does: a registry version's source and run (a deleted and re-created
 * registered model reuses version numbers), then the listing of files and sizes at that source (a run's
 * artifact can be overwritten in place). The stored copy is reused only when both match and it still hashes to
 * its digest; otherwise the files are downloaded again. The listing carries no content hashes, so a file
 * rewritten at the same size in the same place is not noticed. Local paths are used where they are. It does
 * not read MLmodel files or load models.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { pipeline } from "node:stream/promises";
import type { ArtifactFile } from "../client/artifacts.js";
import { FlowOpsClient } from "../client/index.js";
import type { ModelVersion } from "../client/types.js";
import { flowopsHome } from "../db/connect.js";
import { FlowOpsError } from "../errors.js";
import { writeFileAtomic } from "../writeFileAtomic.js";
import { formatModelUri, parseModelUri, type ModelUri } from "./modelUri.js";

export interface ModelStoreOptions {
  /** FlowOps home; `$FLOWOPS_HOME`, then `./.flowops`, as the server's embedded store. */
  home?: string;
  /** The tracking server client; one for `trackingUri` (then $MLFLOW_TRACKING_URI) is made when needed. */
  client?: FlowOpsClient;
  trackingUri?: string;
  env?: NodeJS.ProcessEnv;
  /** Told about downloads, which can take a while. */
  log?: (message: string) => void;
}

export interface ResolvedModel {
  /** The local directory (or, for a local .onnx path, the file) holding the model. */
  path: string;
  /** Registered model name, logged model name, the run path's last segment, or the directory name. */
  name: string;
  /** The registry version; "1" for everything else. */
  version: string;
  /** Where it came from, e.g. `models:/churn/3` (an alias is shown resolved to its version). */
  source: string;
  /** The content digest, for models from the tracking server. */
  digest?: string;
  /** True when this call fetched the files. */
  downloaded: boolean;
}

interface StoreIndex {
  /** `remote` is absent in entries written before it existed; those are downloaded once more. */
  entries: Record<string, { digest: string; stored_at: number; remote?: string }>;
}

/**
 * Where a remote model's files are, once its source is known; `identity` is what else the server says about
 * the source (a registry version's source, run and creation time), so a re-created version is not mistaken
 * for the old one even where its files have the same sizes.
 */
type RemoteLocation = { artifactUri: string; path: string; identity?: string };

export class ModelStore {
  /** `<home>/models`. */
  readonly root: string;
  private clientInstance: FlowOpsClient | undefined;

  constructor(private readonly options: ModelStoreOptions = {}) {
    this.root = join(options.home ?? flowopsHome(options.env), "models");
    this.clientInstance = options.client;
  }

  /**
   * @example const { path, name, version } = await new ModelStore().resolve(parseModelUri("models:/churn@champion"));
   */
  async resolve(uri: ModelUri): Promise<ResolvedModel> {
    switch (uri.kind) {
      case "local":
        return {
          path: uri.path,
          name: localName(uri.path),
          version: "1",
          source: uri.path,
          downloaded: false,
        };
      case "registryVersion":
        return this.fetch(uri.name, uri.version, formatModelUri(uri), () =>
          this.versionLocation(uri.name, uri.version),
        );
      case "registryAlias": {
        // Aliases move, so the alias is asked every time; the version it names is what is cached.
        const found = await this.client().registry.getModelVersionByAlias(uri.name, uri.alias);
        const resolved: ModelUri = { kind: "registryVersion", name: uri.name, version: found.version };
        return this.fetch(uri.name, found.version, formatModelUri(resolved), () =>
          this.versionLocation(uri.name, found.version, found),
        );
      }
      case "loggedModel": {
        // Asked every time for its name; the files are fetched again only when their listing changes.
        const model = await this.client().loggedModels.get(uri.modelId);
        return this.fetch(model.info.name, "1", formatModelUri(uri), () =>
          Promise.resolve({ artifactUri: model.info.artifact_uri, path: "" }),
        );
      }
      case "run": {
        const name = uri.path === "" ? uri.runId : basename(uri.path);
        return this.fetch(name, "1", formatModelUri(uri), () => this.runLocation(uri.runId, uri.path));
      }
    }
  }

  private client(): FlowOpsClient {
    this.clientInstance ??= new FlowOpsClient({
      ...(this.options.trackingUri === undefined ? {} : { trackingUri: this.options.trackingUri }),
      ...(this.options.env === undefined ? {} : { env: this.options.env }),
    });
    return this.clientInstance;
  }

  /**
   * Reuses the stored copy of `source` when the server still points it at the same files and the copy is
   * intact; downloads it otherwise.
   */
  private async fetch(
    name: string,
    version: string,
    source: string,
    locate: () => Promise<RemoteLocation>,
  ): Promise<ResolvedModel> {
    // The same name on two servers is two models, so the server is part of the key.
    const key = `${this.client().trackingUri} ${source}`;
    const location = await this.askServer(source, locate);
    const remote = await this.askServer(source, () => this.remoteFingerprint(source, location));
    const index = await this.readIndex();
    const entry = index.entries[key];
    if (
      entry !== undefined &&
      remote !== undefined &&
      entry.remote === remote &&
      (await this.isIntact(entry.digest))
    ) {
      const digest = entry.digest;
      return { path: join(this.root, digest), name, version, source, digest, downloaded: false };
    }
    const digest = await this.download(source, location);
    // Read again: another process may have added entries meanwhile. Two writers can still lose one entry,
    // which only costs a second download later, since entries are content-addressed.
    const latest = await this.readIndex();
    latest.entries[key] = { digest, stored_at: Date.now(), ...(remote === undefined ? {} : { remote }) };
    await writeFileAtomic(join(this.root, "index.json"), `${JSON.stringify(latest, null, 2)}\n`);
    return { path: join(this.root, digest), name, version, source, digest, downloaded: true };
  }

  /**
   * Runs a question to the server. An unreachable server fails the resolve rather than serving the stored
   * copy: that copy may be of a version since deleted or replaced, which is the stale model this check exists
   * to prevent, and a serve that refuses to start is noticed where a wrong model answering is not. Whoever
   * must serve offline can pass the stored directory as a local path.
   */
  private async askServer<T>(source: string, question: () => Promise<T>): Promise<T> {
    try {
      return await question();
    } catch (error) {
      if (!(error instanceof FlowOpsError) || error.code !== "TEMPORARILY_UNAVAILABLE") throw error;
      throw new FlowOpsError(
        "TEMPORARILY_UNAVAILABLE",
        `${source}: cannot check with the tracking server whether the stored copy is current, so it is not ` +
          `served. ${error.message}`,
        { cause: error },
      );
    }
  }

  /**
   * What the server holds at `location`: its identity and every file's path and size, as a digest. Undefined
   * when the server gives no size for some file: the listing then cannot tell a changed file, so nothing is
   * reused.
   */
  private async remoteFingerprint(source: string, location: RemoteLocation): Promise<string | undefined> {
    const files = await this.listRemote(location);
    if (files.length === 0) {
      throw new FlowOpsError(
        "RESOURCE_DOES_NOT_EXIST",
        `${source}: the tracking server holds no files for it.`,
      );
    }
    if (files.some((file) => file.file_size === undefined)) return undefined;
    const lines = files.map((file) => JSON.stringify([file.path, file.file_size])).sort();
    const head = JSON.stringify([location.artifactUri, location.path, location.identity ?? ""]);
    return createHash("sha256")
      .update([head, ...lines].join("\n"))
      .digest("hex");
  }

  /** Every file under `location` (the file itself when its path names one), as downloadArtifact walks it. */
  private async listRemote(location: RemoteLocation): Promise<ArtifactFile[]> {
    const artifacts = this.client().artifacts;
    const target = { artifactUri: location.artifactUri };
    const files: ArtifactFile[] = [];
    const walk = async (path: string): Promise<void> => {
      for (const child of await artifacts.listArtifacts(target, path)) {
        if (child.is_dir) await walk(child.path);
        else files.push(child);
      }
    };
    await walk(location.path);
    if (files.length > 0 || location.path === "") return files;
    // A listing of a file is empty: find the file among its parent's children.
    const slash = location.path.lastIndexOf("/");
    const siblings = await artifacts.listArtifacts(target, slash < 0 ? "" : location.path.slice(0, slash));
    return siblings.filter((file) => !file.is_dir && file.path === location.path);
  }

  private async download(source: string, location: RemoteLocation): Promise<string> {
    await mkdir(this.root, { recursive: true });
    const temp = await mkdtemp(join(this.root, ".download-"));
    try {
      this.options.log?.(`Downloading ${source} from ${this.client().trackingUri}`);
      const content = join(temp, "content");
      await this.client().artifacts.downloadArtifact(
        { artifactUri: location.artifactUri },
        location.path,
        content,
      );
      let modelDir = content;
      if (!(await stat(content)).isDirectory()) {
        // A single file (runs:/<id>/model.onnx) becomes a directory holding it, as every entry is one.
        modelDir = join(temp, "model");
        await mkdir(modelDir);
        await rename(content, join(modelDir, basename(location.path)));
      }
      const digest = await directoryDigest(modelDir);
      if (digest.files === 0) {
        throw new FlowOpsError(
          "RESOURCE_DOES_NOT_EXIST",
          `${source}: the tracking server holds no files for it.`,
        );
      }
      await this.moveIntoPlace(modelDir, digest.sha256);
      return digest.sha256;
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
  }

  private async moveIntoPlace(dir: string, digest: string): Promise<void> {
    const target = join(this.root, digest);
    try {
      await rename(dir, target);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== "EEXIST" && code !== "ENOTEMPTY") throw error;
    }
    // The same content is already stored (another source, or a concurrent download): keep it if intact.
    if (await this.isIntact(digest)) return;
    await rm(target, { recursive: true, force: true });
    await rename(dir, target);
  }

  private async isIntact(digest: string): Promise<boolean> {
    try {
      return (await directoryDigest(join(this.root, digest))).sha256 === digest;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw error;
    }
  }

  private async versionLocation(
    name: string,
    version: string,
    known?: ModelVersion,
  ): Promise<RemoteLocation> {
    const registry = this.client().registry;
    const found = known ?? (await registry.getModelVersion(name, version));
    const identity = JSON.stringify([found.source, found.run_id ?? "", found.creation_timestamp]);
    const artifactUri = await registry.getDownloadUri(name, version);
    // MLflow answers a version registered from `runs:/<id>/<path>` with that URI, not a storage location.
    const run = artifactUri.startsWith("runs:") ? parseModelUri(artifactUri) : undefined;
    if (run?.kind === "run") return { ...(await this.runLocation(run.runId, run.path)), identity };
    return { artifactUri, path: "", identity };
  }

  /**
   * The run's artifacts at `path`; failing that, MLflow 3's layout, where `log_model(name=...)` stores the
   * model as a logged model that the run lists among its outputs, not under the run's artifacts.
   */
  private async runLocation(runId: string, path: string): Promise<RemoteLocation> {
    const client = this.client();
    const run = await client.runs.get(runId);
    const artifactUri = run.info.artifact_uri;
    if (path === "") return { artifactUri, path };
    const slash = path.lastIndexOf("/");
    const siblings = await client.artifacts.listArtifacts(
      { artifactUri },
      slash < 0 ? "" : path.slice(0, slash),
    );
    if (siblings.some((file) => file.path === path)) return { artifactUri, path };
    for (const output of run.outputs.model_outputs) {
      const model = await client.loggedModels.get(output.model_id);
      if (model.info.name === path) return { artifactUri: model.info.artifact_uri, path: "" };
    }
    throw new FlowOpsError(
      "RESOURCE_DOES_NOT_EXIST",
      `runs:/${runId}/${path}: run '${runId}' has no artifact '${path}' and no logged model named '${path}'.`,
    );
  }

  private async readIndex(): Promise<StoreIndex> {
    const file = join(this.root, "index.json");
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return { entries: {} };
      throw error;
    }
    try {
      const parsed = JSON.parse(text) as Partial<StoreIndex> | null;
      if (typeof parsed?.entries === "object" && parsed.entries !== null) return { entries: parsed.entries };
    } catch {
      // A damaged index is only a cache: start over rather than refuse to serve.
    }
    this.options.log?.(`${file}: unreadable model index, starting a new one`);
    return { entries: {} };
  }
}

function localName(path: string): string {
  const name = basename(path);
  return name.toLowerCase().endsWith(".onnx") ? name.slice(0, -".onnx".length) : name;
}

/**
 * The sha256 of a directory's content: of one `<file sha256>  <relative path>` line per file, in path order,
 * so the same files give the same digest wherever they came from. Anything but files and directories
 * (a link planted in an entry) enters the digest by name only, so an entry holding one never verifies.
 */
export async function directoryDigest(dir: string): Promise<{ sha256: string; files: number }> {
  const lines: string[] = [];
  const walk = async (relative: string): Promise<void> => {
    const entries = await readdir(join(dir, relative), { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const path = relative === "" ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) lines.push(`${await fileSha256(join(dir, path))}  ${path}`);
      else lines.push(`special  ${path}`);
    }
  };
  await walk("");
  const sha256 = createHash("sha256").update(lines.join("\n")).digest("hex");
  return { sha256, files: lines.length };
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(path), hash);
  return hash.digest("hex");
}
