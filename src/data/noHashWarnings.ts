import type { CheckoutFailure } from "./checkoutTargets.js";

/**
 * dvc's warning for each out a checkout could not create for want of a recorded hash (a stage never run),
 * printed before its "Checkout failed for following targets" error. Kept apart from checkoutTargets.ts so the
 * CLI can print it without loading the checkout machinery up front.
 */
export function noHashWarnings(failed: readonly CheckoutFailure[]): string[] {
  return failed.flatMap((failure) =>
    failure.noHashAt === undefined
      ? []
      : [`WARNING: No file hash info found for '${failure.noHashAt}'. It won't be created.`],
  );
}
