/**
 * dvc's `prompt.confirm` (dvc/prompt.py), which repro meets twice: `-i`'s question (reproConfirmation.ts)
 * and dvc-data's checkout asking before it removes a file whose object is nowhere (reproCheckoutRemoval.ts).
 * It asks only when stdout is a terminal (otherwise the answer is "no" and nothing is printed); the statement
 * and ` [y/n] ` are written by Python's `input`, to stdout when stdin is piped and to stderr when stdin is a
 * terminal too; one line is read, lower-cased, until it is yes/no/y/n, anything else answered with dvc's retry
 * line on stdout (silenced by -q, as its logger); the end of input is "no". Every question of one process
 * reads the same stdin, line after line, and they are asked one at a time.
 */
import { writeSync } from "node:fs";
import type { Readable } from "node:stream";

const CHOICES = ["yes", "no", "y", "n"];

export interface DvcPromptIo {
  input: Readable;
  stdinIsTty: boolean;
  stdoutIsTty: boolean;
  /** Straight to fd 1 / fd 2: `input`'s prompt shows under -q. */
  prompt: (text: string, toStderr: boolean) => void;
  /** dvc's logger.info: silenced by -q. */
  write: (text: string) => void;
}

/** Asks `statement` (without ` [y/n] `); `beforeAsking` runs only when the question is really asked. */
export type DvcPromptConfirm = (statement: string, beforeAsking?: () => void) => Promise<boolean>;

/** A confirm over `io`: its questions share one reader of `io.input` and wait for each other. */
export function dvcPromptConfirm(io: DvcPromptIo): DvcPromptConfirm {
  let asking: Promise<unknown> = Promise.resolve();
  let reader: { lines: AsyncIterator<string>; pause: () => void; resume: () => void } | undefined;
  return (statement, beforeAsking) => {
    const answer = asking.then(async (): Promise<boolean> => {
      if (!io.stdoutIsTty) return false;
      // Loaded only when asked: a repro is judged by its start-up time.
      const { createInterface } = await import("node:readline");
      if (reader === undefined) {
        const lines = createInterface({ input: io.input, terminal: false });
        reader = {
          lines: lines[Symbol.asyncIterator](),
          pause: () => lines.pause(),
          resume: () => lines.resume(),
        };
      }
      beforeAsking?.();
      for (;;) {
        io.prompt(`${statement} [y/n] `, io.stdinIsTty);
        reader.resume();
        const line = await reader.lines.next();
        // Between questions stdin is left alone: a terminal's stdin read on would keep the process from
        // exiting until the user ends the input.
        reader.pause();
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

let processConfirm: DvcPromptConfirm | undefined;

/** The process's own confirm (its stdin, stdout and stderr), one for every question it asks. */
export function processPromptConfirm(): DvcPromptConfirm {
  processConfirm ??= dvcPromptConfirm({
    input: process.stdin,
    stdinIsTty: process.stdin.isTTY === true,
    stdoutIsTty: process.stdout.isTTY === true,
    prompt: (text, toStderr) => writeSync(toStderr ? 2 : 1, text),
    write: (text) => process.stdout.write(text),
  });
  return processConfirm;
}
