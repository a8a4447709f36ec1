/**
 * The line an error that escapes one of dvc's commands ends with, as dvc's main logs it (dvc/cli/__init__.py):
 * `ERROR: <message>`, the message led by "configuration error - " for a ConfigError (exit 251), and by
 * "unexpected error - " with dvc's support footer after it for an exception dvc does not know. The messages
 * themselves are dvc's already, made where each error is thrown; FlowOps' own commands keep their
 * `error: CODE: message` (program.ts).
 */
import { dvcErrorKind } from "../data/dvcErrorKind.js";
import { isDvcFileSyntaxError } from "../data/dvcFileErrors.js";
import { dvcYamlSyntaxReport } from "../data/dvcYamlSyntaxReport.js";
import { YamlSyntaxError } from "../data/yamlFile.js";
import { DVC_EXIT } from "./dvcExitCodes.js";

/** dvc's `_log_unknown_exceptions` footer, after a blank line. */
export const DVC_SUPPORT_FOOTER =
  "\nHaving any troubles? Hit us up at https://dvc.org/support, we are always happy to help!\n";

/**
 * dvc's pretty report of a dvc file that is not YAML, which it prints in place of the `ERROR:` line; undefined
 * for any other error.
 */
function dvcFileSyntaxReport(error: unknown, cwd: string): string | undefined {
  if (!isDvcFileSyntaxError(error)) return undefined;
  for (let each: unknown = error; each instanceof Error; each = each.cause) {
    if (each instanceof YamlSyntaxError && each.ruamel !== undefined) {
      return dvcYamlSyntaxReport({ file: each.file, ...each.ruamel }, cwd);
    }
  }
  return undefined;
}

/** What dvc prints to stderr for `error`, thrown by a dvc command that exits `exitCode` for it. */
export function dvcErrorLines(error: unknown, exitCode: number, message: string): string {
  const report = dvcFileSyntaxReport(error, process.cwd());
  if (report !== undefined) return report;
  if (dvcErrorKind(error) === "unexpected") {
    return `ERROR: unexpected error - ${message}\n${DVC_SUPPORT_FOOTER}`;
  }
  if (exitCode === DVC_EXIT.config) return `ERROR: configuration error - ${message}\n`;
  return `ERROR: ${message}\n`;
}
