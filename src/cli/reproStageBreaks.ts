/**
 * The blank line dvc's `_reproduce` (dvc 3.67.1 `repo/reproduce.py`) prints as each stage begins when the
 * stage before it returned something: after a stage that ran, was restored from the run-cache or would run
 * (--dry), never after one that was unchanged or pulled. A failure leaves dvc's `ret` as it was, so the
 * stage after a failed one is set apart as the failed one was; the stages a failure keeps from running are
 * never begun. It is a logger.info, so -q hides it, and it goes where the progress lines go.
 */
import type { DataSourceResult } from "../pipelines/dataSources.js";
import type { StageResult } from "../pipelines/reproResult.js";

export class ReproStageBreaks {
  private afterReproduced = false;
  private readonly begun = new Set<string>();

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly quiet: boolean,
  ) {}

  /** Before the first line a stage prints, and as it ends whether or not it printed any; once a stage. */
  beginStage(name: string): void {
    this.begin(`stage:${name}`);
  }

  /** A `.dvc` file, by its absolute path: a stage of dvc's graph too, with a name space of its own here. */
  beginDataSource(dvcFile: string): void {
    this.begin(`source:${dvcFile}`);
  }

  stageEnded(result: StageResult): void {
    if (result.outcome === "ran" || result.outcome === "restored") this.afterReproduced = true;
    // Under --dry a changed stage is returned by dvc's `reproduce`, a frozen one (wouldRun false) too.
    // A frozen stage whose outputs were verified is returned too.
    else if (result.outcome === "skipped")
      this.afterReproduced = result.wouldRun !== undefined || result.verifiedFrozen === true;
  }

  dataSourceEnded(result: DataSourceResult): void {
    if (result.outcome === "imported" || result.outcome === "verified") this.afterReproduced = true;
    else if (result.outcome === "skipped")
      // A dry run's import or verification returns the stage in dvc; a pulled one returns nothing.
      this.afterReproduced =
        result.pulled !== true && (result.wouldVerify === true || result.importing !== undefined);
  }

  private begin(key: string): void {
    if (this.begun.has(key)) return;
    this.begun.add(key);
    if (this.afterReproduced && !this.quiet) this.out.write("\n");
  }
}
