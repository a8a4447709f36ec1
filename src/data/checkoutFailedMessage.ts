/**
 * dvc's CheckoutError message, which `data pull` (and `data checkout`, as dvc's `checkout`) end with when an
 * out could not be restored: the outs one a line, the question, and dvc's link to its page on missing files,
 * kept so that output read or matched beside dvc's is the same.
 */
import type { CheckoutSummary } from "./checkoutSummary.js";

type CheckoutFailure = CheckoutSummary["failed"][number];

export const MISSING_FILES_LINK = "<https://error.dvc.org/missing-files>";

/** "Checkout failed for following targets:\n<path>...\nIs your cache up to date?\n<link>", no newline after. */
export function checkoutFailedMessage(targets: readonly string[]): string {
  return `Checkout failed for following targets:\n${targets.join("\n")}\nIs your cache up to date?\n${MISSING_FILES_LINK}`;
}

/**
 * One line of the "Checkout failed for following targets" list. An out whose object is missing is named
 * alone, as dvc names it: the fetch's lines above and "Is your cache up to date?" already say why, and a
 * separate line per out repeating it was one more error than dvc prints. Any other failure (a corrupt
 * object) keeps its reason on the same line, as `data checkout` lists them, so nothing is lost.
 */
export function checkoutFailureLine(failure: CheckoutFailure): string {
  // A directory out is named without its trailing slash, as dvc names it.
  const path = failure.path.replace(/\/$/, "");
  return failure.missing === true || failure.noHashAt !== undefined ? path : `${path}: ${failure.reason}`;
}
