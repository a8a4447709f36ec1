/**
 * dvc's `handle_error` under --keep-going: right after a failure, one warning names every planned stage that
 * depends on the failed one (transitively), which will not run. The failed one is a stage or a data source
 * (a `.dvc` file, a stage in dvc's graph). `-s` items have no graph, so dvc names none.
 */
import { cwdStageAddress, type Pipeline } from "./dvcYaml.js";
import { stagesBlockedByDataSources, type DataSourceResult } from "./dataSources.js";
import type { ReproContext } from "./reproContext.js";
import { plansSingleItems, type PlannedStage } from "./reproPlan.js";

/** After a stage failed: warns of the planned stages below it. */
export function warnOfSkippedDependants(context: ReproContext, failed: string): void {
  if (plansSingleItems(context.options)) return;
  const dependants = new Set<string>([failed]);
  for (const name of context.planNames) {
    if ((context.upstream.get(name) ?? []).some((up) => dependants.has(up))) dependants.add(name);
  }
  dependants.delete(failed);
  warnOfSkipped(context, [...dependants]);
}

/** After a data source failed: warns of the planned stages that read it, and those below them. */
export function warnOfStagesSkippedBySource(
  context: ReproContext,
  failed: DataSourceResult,
  pipeline: Pipeline,
  plan: readonly PlannedStage[],
): void {
  const options = { ...context.options, singleItem: plansSingleItems(context.options) };
  warnOfSkipped(context, [...stagesBlockedByDataSources([failed], pipeline, plan, options).keys()]);
}

function warnOfSkipped(context: ReproContext, skipped: readonly string[]): void {
  if (skipped.length === 0) return;
  const cwd = context.options.cwd ?? context.repo.root;
  const names = skipped.map((name) => {
    const stage = context.stages.get(name);
    return `'${stage === undefined ? name : cwdStageAddress(stage, cwd)}'`;
  });
  const listed = names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names.at(-1)}` : names[0];
  const stages = names.length > 1 ? "Stages" : "Stage";
  context.emit({ type: "warning", message: `${stages} ${listed} will be skipped due to this failure` });
}
