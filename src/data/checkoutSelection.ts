/**
 * Which outs `checkout` (and so `pull`) restores: the cached outs of every `.dvc` file and of every
 * `dvc.lock`, narrowed by targets as `dvc checkout` resolves them. It reads only.
 */
import { dirname, join, relative, resolve, sep } from "node:path";
import { FlowOpsError } from "../errors.js";
import type { DataRepo } from "./dataRepo.js";
import { dvcFileWdir, isSameOrInside, loadTrackedOuts, readDvcFile, type TrackedOut } from "./dvcFile.js";
import { dvcFileTargets } from "./dvcFileTargets.js";
import { isDirOid } from "./hashInfo.js";
import { unhashedVersionedImportIn, type UnhashedVersionedImport } from "./unhashedVersionedImports.js";
import { lockOuts } from "./lockOuts.js";
import { declaredOuts, outSelected, selectDeclared, workspaceDeclaredStages } from "./pipelineTargets.js";
import { relPosix } from "./repoPosixPath.js";
import { unmatchedTarget } from "./unmatchedTarget.js";
import { stageTargetAddress } from "./usedObjects.js";

/** One out to check out, from a `.dvc` file or a `dvc.lock`. */
export interface CheckoutOut {
  abs: string;
  /** Undefined when the `.dvc` file records no hash (reported as a failure). */
  md5?: string;
  isexec: boolean;
  /** The file declaring the out, for messages. */
  source: string;
  /** For lock outs: the stage address (`train`, `sub/dvc.yaml:train`). */
  stage?: string;
  /** For lock outs: the absolute paths of the `dvc.yaml` and `dvc.lock` that declare it. */
  pipelineFiles?: readonly string[];
  /** For `.dvc` outs: the absolute `.dvc` file. */
  dvcFile?: string;
  /** A versioned import made with `--no-download` (no hash recorded): fetch may have found its hash. */
  unhashedImport?: UnhashedVersionedImport;
  /** A DVC 2 entry (no `hash: md5`): a file's md5 is md5-dos2unix. */
  legacy?: boolean;
  /**
   * For a directory out targeted by paths inside it (`checkout data/sub`): those paths, relative to the out
   * (POSIX). Only files at or below them are checked out, as DVC's granular checkout does. Undefined: all.
   */
  only?: string[];
}

/** Every cached out (`.dvc` files first, then locks), or those `targets` select; unknown targets are errors. */
export async function selectCheckoutOuts(
  repo: Pick<DataRepo, "root" | "ignore">,
  targets: readonly string[],
  cwd: string,
): Promise<CheckoutOut[]> {
  const outs = await checkoutOuts(repo, targets, cwd);
  if (targets.length === 0) return outs;
  // An out maps to undefined when selected whole, else to the paths inside it that targets named.
  const selected = new Map<CheckoutOut, string[] | undefined>();
  for (const target of targets) {
    const abs = resolve(cwd, target);
    const stage = stageTargetAddress(repo.root, cwd, target);
    let matched = false;
    for (const out of outs) {
      const whole =
        out.dvcFile === abs ||
        abs === out.abs ||
        (out.stage !== undefined && (out.stage === stage || out.pipelineFiles?.includes(abs) === true));
      if (whole) {
        selected.set(out, undefined);
      } else if (out.md5 !== undefined && isDirOid(out.md5) && isSameOrInside(abs, out.abs)) {
        const inside = relative(out.abs, abs).split(sep).join("/");
        const paths = selected.has(out) ? selected.get(out) : [];
        paths?.push(inside);
        selected.set(out, paths);
      } else {
        continue;
      }
      matched = true;
    }
    if (!matched) {
      // A stage not run yet names its cached outs with no hash, which fail as dvc's "No file hash info found"
      // does; outs with `cache: false` name nothing to check out. Only a target naming nothing declared fails.
      const unhashed = await unhashedDeclaredOuts(repo, cwd, target, outs);
      if (unhashed !== undefined) {
        outs.push(...unhashed);
        for (const out of unhashed) selected.set(out, undefined);
        continue;
      }
      const { error, suggestsGit } = unmatchedTarget(cwd, target);
      if (!suggestsGit) throw error;
      throw new FlowOpsError(error.code, `Did you mean \`git checkout ${target}\`?: ${error.message}`);
    }
  }
  return outs
    .filter((out) => selected.has(out))
    .map((out) => {
      const only = selected.get(out);
      return only === undefined ? out : { ...out, only };
    });
}

/**
 * The candidates for `targets`. When every target is a `.dvc` file, only those files are read, as dvc loads
 * such a target directly: a damaged dvc.yaml, dvc.lock or other `.dvc` file elsewhere does not stop
 * `checkout data.csv.dvc` (or `pull` of it). Any other target needs every file, to be resolved.
 */
async function checkoutOuts(
  repo: Pick<DataRepo, "root" | "ignore">,
  targets: readonly string[],
  cwd: string,
): Promise<CheckoutOut[]> {
  const files = dvcFileTargets(
    repo.root,
    targets.map((target) => resolve(cwd, target)),
  );
  const outs: CheckoutOut[] = [];
  const dvcOuts = files === undefined ? await loadTrackedOuts(repo) : await trackedOutsOf(repo.root, files);
  for (const tracked of dvcOuts) {
    if (tracked.out.cache === false) continue;
    const unhashedImport =
      tracked.out.md5 === undefined
        ? unhashedVersionedImportIn(tracked.doc, relPosix(repo.root, tracked.dvcFile))
        : undefined;
    outs.push({
      abs: tracked.abs,
      ...(tracked.out.md5 !== undefined ? { md5: tracked.out.md5 } : {}),
      isexec: tracked.out.isexec === true,
      source: tracked.dvcFile,
      dvcFile: tracked.dvcFile,
      ...(tracked.out.hash === undefined ? { legacy: true } : {}),
      ...(unhashedImport !== undefined ? { unhashedImport } : {}),
    });
  }
  if (files !== undefined) return outs;
  for (const out of await lockOuts(repo)) {
    const lockFile = join(repo.root, ...out.dvcFile.split("/"));
    outs.push({
      abs: join(repo.root, ...out.path.split("/")),
      md5: out.md5,
      isexec: out.isexec === true,
      source: out.dvcFile,
      ...(out.stage !== undefined ? { stage: out.stage } : {}),
      pipelineFiles: [lockFile, join(dirname(lockFile), "dvc.yaml")],
    });
  }
  return outs;
}

/** The outs of the given `.dvc` files (absolute paths), each file read once, in the order given. */
async function trackedOutsOf(root: string, files: readonly string[]): Promise<TrackedOut[]> {
  const outs: TrackedOut[] = [];
  for (const dvcFile of new Set(files)) {
    const doc = await readDvcFile(dvcFile, root);
    const wdir = dvcFileWdir(dvcFile, doc);
    outs.push(...doc.outs.map((out, index) => ({ dvcFile, doc, out, index, abs: resolve(wdir, out.path) })));
  }
  return outs;
}

/** The cached outs a target names through dvc.yaml alone that no lock records; undefined if it names nothing. */
async function unhashedDeclaredOuts(
  repo: Pick<DataRepo, "root" | "ignore">,
  cwd: string,
  target: string,
  known: readonly CheckoutOut[],
): Promise<CheckoutOut[] | undefined> {
  const selections = selectDeclared(await workspaceDeclaredStages(repo), repo.root, cwd, target);
  if (selections.length === 0) return undefined;
  return selections.flatMap(({ stage, within }) =>
    declaredOuts(stage.stage, (out) => out.cache)
      .filter((abs) => outSelected(abs, within) && !known.some((out) => out.abs === abs))
      .map((abs) => ({ abs, isexec: false, source: relPosix(repo.root, stage.pipelineFile) })),
  );
}
