/**
 * What one checkout changed, as pull reports it: a pull that retries checkout after a second fetch adds the
 * retry's changes to the first round's.
 */
import { sortCheckoutChanges } from "./checkoutChangeOrder.js";
import type { checkoutTargets } from "./checkoutTargets.js";

export type CheckoutSummary = Awaited<ReturnType<typeof checkoutTargets>>;

/** A pull that stopped before checkout changed nothing. */
export function noCheckout(): CheckoutSummary {
  return {
    added: [],
    modified: [],
    deleted: [],
    removed: [],
    failed: [],
    stats: { added: 0, modified: 0, deleted: 0 },
  };
}

/** The first checkout's changes plus the retry's; the retry's failures replace the first's. */
export function mergeCheckouts(first: CheckoutSummary, retry: CheckoutSummary): CheckoutSummary {
  return {
    added: sortCheckoutChanges([...first.added, ...retry.added]),
    modified: sortCheckoutChanges([...first.modified, ...retry.modified]),
    deleted: sortCheckoutChanges([...first.deleted, ...retry.deleted]),
    // The retry names its targets, and only a checkout without targets removes unused links.
    removed: first.removed,
    failed: retry.failed,
    stats: {
      added: first.stats.added + retry.stats.added,
      modified: first.stats.modified + retry.stats.modified,
      deleted: first.stats.deleted + retry.stats.deleted,
    },
  };
}
