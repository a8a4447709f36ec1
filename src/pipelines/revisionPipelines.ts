/**
 * The pipeline as a Git revision defines it, for `params diff` and `metrics show|diff`: dvc reads each
 * revision's own dvc.yaml files (through its Git file system), so a param or metrics file that a stage tracks
 * at one revision only is compared as added or removed. Here the files that collecting a pipeline reads
 * (dvc.yaml, `.dvc` files, ignore rules, and params/vars files: YAML, JSON, TOML, Python) are copied out of
 * the revision's tree into a temporary directory, and collected there exactly as in the workspace. Data
 * files are never in Git, so the copy stays small; the directory is removed before returning.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, posix } from "node:path";
import { FlowOpsError } from "../errors.js";
import { readStageLocks } from "./dvcLock.js";
import type { Pipeline } from "./dvcYaml.js";
import { readWorkspacePipelines } from "./pipelineFiles.js";
import { paramsLoadFailureReason } from "./pipelineLoadFailure.js";
import { revisionLabel, type Revision } from "./revisionFiles.js";

const SOURCE_EXTENSIONS = new Set([".yaml", ".yml", ".json", ".toml", ".py", ".dvc", ".lock"]);
const SOURCE_NAMES = new Set([".dvcignore", ".gitignore"]);
/** A params file is text someone edits; anything bigger is not one, and is not copied. */
const MAX_SOURCE_BYTES = 16 * 1024 * 1024;

interface TreeBlob {
  oid: string;
  path: string;
}

function isPipelineSource(path: string, size: number): boolean {
  if (size > MAX_SOURCE_BYTES) return false;
  const name = posix.basename(path);
  return SOURCE_NAMES.has(name) || SOURCE_EXTENSIONS.has(posix.extname(name));
}

/** Runs git with `input` on stdin; its stdout as bytes. A failure names the command and git's message. */
function git(root: string, args: string[], input?: string): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn("git", ["-C", root, ...args], {
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr?.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolvePromise(Buffer.concat(out));
      else
        reject(
          new FlowOpsError(
            "INVALID_PARAMETER_VALUE",
            `git ${args.join(" ")} in ${root} failed: ${Buffer.concat(err).toString("utf8").trim()}`,
          ),
        );
    });
    if (input !== undefined && child.stdin !== null) {
      // A git that exits early closes its stdin; its exit status, not EPIPE, says what went wrong.
      child.stdin.on("error", () => undefined);
      child.stdin.end(input);
    }
  });
}

/** The blobs of `rev` below `root` (paths relative to it) that collecting a pipeline may read. */
async function pipelineSources(root: string, rev: string): Promise<TreeBlob[]> {
  const listing = (await git(root, ["ls-tree", "-r", "-z", "-l", rev])).toString("utf8");
  const blobs: TreeBlob[] = [];
  for (const record of listing.split("\0")) {
    // "<mode> SP <type> SP <oid> SP+ <size> TAB <path>"; symlinks (120000) and submodules are skipped.
    const tab = record.indexOf("\t");
    if (tab < 0) continue;
    const [mode, type, oid, size] = record.slice(0, tab).split(/ +/);
    const path = record.slice(tab + 1);
    if (type !== "blob" || mode === "120000" || oid === undefined) continue;
    if (isPipelineSource(path, Number(size))) blobs.push({ oid, path });
  }
  return blobs;
}

/** Writes each blob's content under `dir`, read in one `git cat-file --batch`. */
async function writeBlobs(root: string, blobs: readonly TreeBlob[], dir: string): Promise<void> {
  if (blobs.length === 0) return;
  const batch = await git(root, ["cat-file", "--batch"], blobs.map((b) => `${b.oid}\n`).join(""));
  let offset = 0;
  for (const blob of blobs) {
    // Each answer: "<oid> blob <size>\n<content>\n".
    const headerEnd = batch.indexOf(0x0a, offset);
    const size = Number(batch.subarray(offset, headerEnd).toString("latin1").split(" ")[2]);
    if (!Number.isSafeInteger(size))
      throw new FlowOpsError("INTERNAL_ERROR", `git cat-file: no object ${blob.oid}`);
    const content = batch.subarray(headerEnd + 1, headerEnd + 1 + size);
    offset = headerEnd + 1 + size + 1;
    const target = join(dir, ...blob.path.split("/"));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, content);
  }
}

/** Names `rev:path` instead of the temporary copy in an error about one of its files. */
function atRevision(error: unknown, dir: string, rev: string): unknown {
  if (!(error instanceof FlowOpsError)) return error;
  const message = error.message.replaceAll(`${dir}/`, `${rev}:`).replaceAll(dir, `${rev}:.`);
  return message === error.message ? error : new FlowOpsError(error.code, message, { cause: error });
}

/**
 * The pipeline defined at `rev` (the workspace's when undefined), its dvc.lock files loaded too; undefined when
 * it defines none. dvc's index loads each stage's lock entry, so a damaged dvc.lock costs `metrics`, `params`
 * and `plots` the revision just as a damaged dvc.yaml does.
 */
export async function readPipelinesAt(root: string, rev: Revision): Promise<Pipeline | undefined> {
  if (rev === undefined) return withLocksLoaded(await readWorkspacePipelines(root));
  return withPipelinesAt(root, rev, withLocksLoaded);
}

/** `pipeline`, once every dvc.lock beside its dvc.yaml files has loaded (an error when one is damaged). */
export async function withLocksLoaded(pipeline: Pipeline | undefined): Promise<Pipeline | undefined> {
  if (pipeline !== undefined) await readStageLocks(pipeline.stages);
  return pipeline;
}

/**
 * Runs `work` on the pipeline defined at `rev`, while its files (dvc.lock files included) are still in the
 * temporary copy that `pipeline.root` names; the copy is removed afterwards.
 */
export async function withPipelinesAt<T>(
  root: string,
  rev: string,
  work: (pipeline: Pipeline | undefined) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "flowops-revision-"));
  try {
    await writeBlobs(root, await pipelineSources(root, rev), dir);
    return await work(await readWorkspacePipelines(dir));
  } catch (error) {
    throw atRevision(error, dir, rev);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * `readPipelinesAt`, but a revision whose pipeline cannot be read counts as defining nothing, with a warning:
 * dvc's `params diff` and `metrics diff` go on the same way ("failed to load params in revision 'HEAD', ..."),
 * and name the revision again in a closing line, so `onWarning` is told its label too. The reason is dvc's
 * (pipelineLoadFailure.ts), an unreadable file named relative to `cwd`.
 */
export async function readPipelinesOrWarn(
  root: string,
  rev: Revision,
  what: "params" | "metrics",
  cwd: string,
  onWarning: (message: string, revision: string) => void,
): Promise<Pipeline | undefined | null> {
  try {
    return await readPipelinesAt(root, rev);
  } catch (error) {
    if (!(error instanceof FlowOpsError)) throw error;
    const label = revisionLabel(rev);
    onWarning(
      `failed to load ${what} in revision '${label}', ${paramsLoadFailureReason(error, root, rev, cwd)}`,
      label,
    );
    return null;
  }
}
