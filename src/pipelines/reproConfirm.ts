/**
 * `repro -i`, where dvc's `Stage.reproduce` asks: after a changed stage's only-missing data was pulled (a
 * stage whose pull checked its outs out is never asked about, nor one whose pull raised), before anything of
 * it runs, dry runs and frozen stages included; `.dvc` data sources are asked about as stages. A "no" fails
 * the item with dvc's DvcException, so what depends on it does not run.
 */
import type { ReproContext } from "./reproContext.js";

export const ABORTED_BY_USER = "reproduction aborted by the user";

const unasked = new WeakMap<() => Promise<boolean>, () => void>();

/** A question for one plan item, asked at most once however often its answer is wanted; always yes without -i. */
export function confirmOnce(context: ReproContext, name: string): () => Promise<boolean> {
  const { confirm } = context.options;
  let answer: Promise<boolean> | undefined;
  const confirmed = (): Promise<boolean> => {
    if (confirm === undefined) return Promise.resolve(true);
    answer ??= confirm({ name });
    return answer;
  };
  unasked.set(confirmed, () => (answer ??= Promise.resolve(true)));
  return confirmed;
}

/**
 * For an item that failed before dvc would ask (its outs' pull raised): the question is never asked, and
 * whoever still wants the answer goes on to report that failure.
 */
export function settleUnasked(confirmed: (() => Promise<boolean>) | undefined): void {
  if (confirmed !== undefined) unasked.get(confirmed)?.();
}
