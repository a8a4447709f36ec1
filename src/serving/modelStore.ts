/**
 * Turns a model URI into a local directory. Remote models (registry versions and aliases, logged models, run
 * artifacts) are downloaded once through the tracking server into `$FLOWOPS_HOME/models/<sha256 of content>/`
 * (a temp dir renamed into place, so a reader never sees half a model), and `models/index.json` maps each
 * resolved source to its digest so the next serve of the same version reads the disk, not the network. An
 * entry is re-hashed before reuse; one that no longer matches its digest is downloaded again. A registry
 * version never changes, so a stored one is reused without asking the server (serving still starts while
 * it is down); aliases are always asked. Local paths are used where they are. It does not read MLmodel files or load models.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { FlowOpsClient } from "../client/index.js";
import { flowopsHome } from "../db/connect.js";
import { FlowOpsError } from "../errors.js";
import { writeFileAtomic } from "../writeFileAtomic.js";
import { formatModelUri, type ModelUri } from "./modelUri.js";

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
  entries: Record<string, { digest: string; stored_at: number }>;
}

/** Where a remote model's files are, once its source is known. */
type RemoteLocation = { artifactUri: string; path: string };

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
        const version = (await this.client().registry.getModelVersionByAlias(uri.name, uri.alias)).version;
        const resolved: ModelUri = { kind: "registryVersion", name: uri.name, version };
        return this.fetch(uri.name, version, formatModelUri(resolved), () =>
          this.versionLocation(uri.name, version),
        );
      }
      case "loggedModel": {
        // Asked every time for its name; the files are fetched only once.
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

  /** Reuses the stored copy of `source` when it is intact; downloads it otherwise. */
  private async fetch(
    name: string,
    version: string,
    source: string,
    locate: () => Promise<RemoteLocation>,
  ): Promise<ResolvedModel> {
    // The same name on two servers is two models, so the server is part of the key.
    const key = `${this.client().trackingUri} ${source}`;
    const index = await this.readIndex();
    const known = index.entries[key]?.digest;
    if (known !== undefined && (await this.isIntact(known))) {
      return { path: join(this.root, known), name, version, source, digest: known, downloaded: false };
    }
    const digest = await this.download(source, await locate());
    // Read again: another process may have added entries meanwhile. Two writers can still lose one entry,
    // which only costs a second download later, since entries are content-addressed.
    const latest = await this.readIndex();
    latest.entries[key] = { digest, stored_at: Date.now() };
    await writeFileAtomic(join(this.root, "index.json"), `${JSON.stringify(latest, null, 2)}\n`);
    return { path: join(this.root, digest), name, version, source, digest, downloaded: true };
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

  private async versionLocation(name: string, version: string): Promise<RemoteLocation> {
    return { artifactUri: await this.client().registry.getDownloadUri(name, version), path: "" };
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
