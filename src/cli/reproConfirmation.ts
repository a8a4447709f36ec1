/**
 * `repro -i`'s question, as dvc's `prompt.confirm` asks it (dvcPrompt.ts), which differs from the
 * `ui.confirm` of gc and destroy (dvcConfirm.ts): `Going to reproduce stage: '<name>'. Are you sure you want
 * to continue? [y/n] `, only when stdout is a terminal. Parallel stages ask one at a time, and a checkout's
 * question of the same repro (reproCheckoutRemoval.ts) reads the same stdin.
 */
import { isAbsolute, relative, sep } from "node:path";
import { dvcPromptConfirm, processPromptConfirm, type DvcPromptIo } from "../pipelines/dvcPrompt.js";

export type ReproConfirmationIo = DvcPromptIo;

/**
 * The confirm of ReproOptions: `named` gives a stage's name as printed; a data source (its absolute `.dvc`
 * path) is named from `sourcesFrom`. dvc's blank line between stages comes before the question.
 */
export function reproConfirmation(
  named: (name: string) => string,
  sourcesFrom: string,
  /** Before the first prompt of an item: the item's lines begin there (reproStageBreaks.ts). */
  onAsk: (name: string) => void = () => undefined,
  io?: ReproConfirmationIo,
): (item: { name: string }) => Promise<boolean> {
  const confirm = io === undefined ? processPromptConfirm() : dvcPromptConfirm(io);
  const shown = (name: string): string =>
    isAbsolute(name) ? relative(sourcesFrom, name).split(sep).join("/") : named(name);
  return ({ name }) =>
    confirm(`Going to reproduce stage: '${shown(name)}'. Are you sure you want to continue?`, () =>
      onAsk(name),
    );
}
