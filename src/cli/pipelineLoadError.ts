import { pipelineLoadMessage } from "../pipelines/pipelineLoadFailure.js";
import { DVC_EXIT } from "./dvcExitCodes.js";

/**
 * Prints dvc's own words for a params file it cannot read or a dvc.yaml that does not resolve (`ERROR: ...`,
 * exit 255), so scripts matching dvc's output still work; false for any other failure, which the caller
 * rethrows.
 */
export function reportedPipelineLoadFailure(error: unknown, cwd: string): boolean {
  const message = pipelineLoadMessage(error, cwd);
  if (message === undefined) return false;
  process.stderr.write(`ERROR: ${message}\n`);
  process.exitCode = DVC_EXIT.raised;
  return true;
}
