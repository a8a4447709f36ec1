/**
 * `repro -i`'s question, as dvc's `prompt.confirm` asks it (dvc/prompt.py), which differs from the
 * `ui.confirm` of gc and destroy (dvcConfirm.ts): only when stdout is a terminal (otherwise the answer is
 * "no" and nothing is printed); `Going to reproduce stage: '<name>'. Are you sure you want to continue? [y/n] `
 * written by Python's `input`, to stdout when stdin is piped and to stderr when stdin is a terminal too; one
 * line read, lower-cased, until it is yes/no/y/n, anything else answered with dvc's retry line on stdout
 * (silenced by -q, as its logger); the end of input is "no". Parallel stages ask one at a time.
 */
import { writeSync } from "node:fs";
import { isAbsolute, relative, sep } from "node:path";
import type { Readable } from "node:stream";

const CHOICES = ["yes", "no", "y", "n"];

export interface ReproConfirmationIo {
  input: Readable;
  stdinIsTty: boolean;
  stdoutIsTty: boolean;
  /** Straight to fd 1 / fd 2: `input`'s prompt shows under -q. */
  prompt: (text: string, toStderr: boolean) => void;
  /** dvc's logger.info: silenced by -q. */
  write: (text: string) => void;
}

/**
 * The confirm of ReproOptions: `named` gives a stage's name as printed; a data source (its absolute `.dvc`
 * path) is named from `sourcesFrom`. dvc's blank line between stages comes before the question.
 */
export function reproConfirmation(
  named: (name: string) => string,
  sourcesFrom: string,
  /** Before the first prompt of an item: the item's lines begin there (reproStageBreaks.ts). */
  onAsk: (name: string) => void = () => undefined,
  io: ReproConfirmationIo = processIo(),
): (item: { name: string }) => Promise<boolean> {
  let asking: Promise<unknown> = Promise.resolve();
  let answers: AsyncIterator<string> | undefined;
  const shown = (name: string): string =>
    isAbsolute(name) ? relative(sourcesFrom, name).split(sep).join("/") : named(name);
  return ({ name }) => {
    const answer = asking.then(async (): Promise<boolean> => {
      if (!io.stdoutIsTty) return false;
      const statement = `Going to reproduce stage: '${shown(name)}'. Are you sure you want to continue? [y/n] `;
      // Loaded only for -i: a no-op repro is judged by its start-up time.
      const { createInterface } = await import("node:readline");
      answers ??= createInterface({ input: io.input, terminal: false })[Symbol.asyncIterator]();
      onAsk(name);
      for (;;) {
        io.prompt(statement, io.stdinIsTty);
        const line = await answers.next();
        if (line.done === true) return false;
        const reply = line.value.toLowerCase();
        if (CHOICES.includes(reply)) return reply.startsWith("y");
        io.write("Your response must be one of: ['yes', 'no', 'y', 'n']. Please try again.\n");
      }
    });
    asking = answer;
    return answer;
  };
}

function processIo(): ReproConfirmationIo {
  return {
    input: process.stdin,
    stdinIsTty: process.stdin.isTTY === true,
    stdoutIsTty: process.stdout.isTTY === true,
    prompt: (text, toStderr) => writeSync(toStderr ? 2 : 1, text),
    write: (text) => process.stdout.write(text),
  };
}
