/**
 * dvc's `ResolveError`: a dvc.yaml whose `vars`, `${...}` or foreach/matrix do not resolve. dvc words it
 * `failed to parse <where> in '<dvc.yaml>':<spacing><reason>`, naming the dvc.yaml and any vars file relative
 * to the cwd, and gives no line; the message here names them relative to the repo root (the cwd dvc is
 * most often run from), and `dvcMessage` for any other cwd.
 */
import { join, relative, sep } from "node:path";
import { FlowOpsError } from "../errors.js";
import type { InterpolationError } from "./interpolationError.js";

export class PipelineResolveError extends FlowOpsError {
  constructor(
    /** The dvc.yaml (absolute, possibly in a revision's temporary copy). */
    readonly file: string,
    /** The repository root the dvc.yaml was read under (the temporary copy's root for a revision). */
    readonly repoRoot: string,
    /** What failed, quoted as dvc quotes it: `'vars'`, `'stages.train.cmd'`. */
    readonly where: string,
    readonly reason: InterpolationError,
  ) {
    super("INVALID_PARAMETER_VALUE", "", { cause: reason });
    this.message = this.dvcMessage(repoRoot, repoRoot);
  }

  /** dvc's message from `cwd`, the files named as they lie under `root` (the repo root the user sees). */
  dvcMessage(root: string, cwd: string): string {
    const name = (abs: string): string =>
      relative(cwd, join(root, relative(this.repoRoot, abs)))
        .split(sep)
        .join("/");
    const dvcfile = name(this.file);
    const { preamble, spacing } = this.reason;
    const head = preamble ?? `failed to parse ${this.where}`;
    return `${head} in '${dvcfile}':${spacing}${this.reason.describe(name)}`;
  }
}

/** The PipelineResolveError `error` is or was made from, if any. */
export function pipelineResolveErrorOf(error: unknown): PipelineResolveError | undefined {
  for (let each: unknown = error; each instanceof Error; each = each.cause) {
    if (each instanceof PipelineResolveError) return each;
  }
  return undefined;
}
