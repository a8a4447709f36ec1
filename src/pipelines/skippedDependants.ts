/**
 * dvc's `handle_error` under --keep-going: right after a failure, one warning names every planned stage that
 * depends on the failed one (transitively), which will not run. The failed one is a stage or a data source
 * (a `.dvc` file, a node of the plan like a stage). `-s` items have no graph, so dvc names none.
 */
import { isAbsolute, relative, sep } from "node:path";
import { cwdStageAddress } from "./dvcYaml.js";
import type { ReproContext } from "./reproContext.js";
import { plansSingleItems } from "./reproPlan.js";

/**
 * After a stage or data source failed: warns of the stages below it in the active graph, planned or not, as
 * dvc's `handle_error` walks the whole graph (it lists them from a set, in no set order; here in index order).
 */
export function warnOfSkippedDependants(
  context: ReproContext,
  failed: string,
  dependants: (name: string) => string[],
): void {
  if (plansSingleItems(context.options)) return;
  warnOfSkipped(context, dependants(failed));
}

function warnOfSkipped(context: ReproContext, skipped: readonly string[]): void {
  if (skipped.length === 0) return;
  const names = skipped.map((name) => `'${planItemName(context, name)}'`);
  const listed = names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1)}` : names[0];
  const stages = names.length > 1 ? "Stages" : "Stage";
  context.emit({ type: "warning", message: `${stages} ${listed} will be skipped due to this failure` });
}

/** A plan node as dvc names it: a stage's address, or a `.dvc` file's path, from the cwd. */
export function planItemName(context: ReproContext, name: string): string {
  const cwd = context.options.cwd ?? context.repo.root;
  const stage = context.stages.get(name);
  if (stage !== undefined) return cwdStageAddress(stage, cwd);
  if (!isAbsolute(name)) return name;
  return relative(cwd, name).split(sep).join("/");
}
