/**
 * dvc's `ui.confirm` (dvc/ui/__init__.py): the statement and ` [y/n]: ` printed to stdout through rich, which
 * wraps it to the console's width, then one line read from stdin, TTY or not (`echo y | dvc destroy` goes
 * ahead). An answer other than yes/no/y/n (any case) is refused with dvc's message and asked again; the end
 * of input is "no".
 */
import { writeSync } from "node:fs";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

const CHOICES = ["yes", "no", "y", "n"];

export interface ConfirmIo {
  input: Readable;
  /** Where the prompt goes: dvc prints it even under -q. */
  prompt: (text: string) => void;
  /** Where dvc's `ui.write` goes (the retry message), which -q silences. */
  write: (text: string) => void;
  width: number;
}

/**
 * rich's console width: `COLUMNS` when it is a number, else the size of a terminal among stdin, stdout and
 * stderr, else 80.
 */
export function consoleWidth(env: NodeJS.ProcessEnv = process.env): number {
  const columns = env.COLUMNS;
  if (columns !== undefined && /^\d+$/.test(columns)) return Number(columns);
  for (const stream of [process.stdout, process.stderr])
    if (stream.isTTY && stream.columns > 0) return stream.columns;
  return 80;
}

/**
 * `text` wrapped as rich's `divide_line` wraps each of its lines: a word is its characters and the spaces
 * after them, and moves to the next line when its characters (not those spaces) do not fit, so a broken line
 * keeps its trailing space.
 */
export function wrapLikeRich(text: string, width: number): string {
  return text
    .split("\n")
    .map((line) => {
      const lines: string[] = [];
      let current = "";
      for (const word of line.match(/\s*\S+\s*/g) ?? [line]) {
        if (current.length > 0 && width - current.length < word.trimEnd().length) {
          lines.push(current);
          current = "";
        }
        current += word;
      }
      return [...lines, current].join("\n");
    })
    .join("\n");
}

/** Asks `statement` until the answer is one of dvc's choices; true for yes/y. */
export async function confirmLikeDvc(
  statement: string,
  io: ConfirmIo = processConfirmIo(),
): Promise<boolean> {
  const reader = createInterface({ input: io.input, terminal: false });
  const lines = reader[Symbol.asyncIterator]();
  try {
    for (;;) {
      io.prompt(wrapLikeRich(`${statement} [y/n]: `, io.width));
      const next = await lines.next();
      if (next.done === true) return false;
      const answer = next.value.toLowerCase();
      if (CHOICES.includes(answer)) return answer.startsWith("y");
      io.write(`Your response must be one of: ['yes', 'no', 'y', 'n']. Please try again.\n`);
    }
  } finally {
    reader.close();
  }
}

function processConfirmIo(): ConfirmIo {
  return {
    input: process.stdin,
    // Straight to fd 1: -q replaces process.stdout.write (dvcLogLevel.ts), and dvc's prompt shows under -q.
    prompt: (text) => writeSync(1, text),
    write: (text) => process.stdout.write(text),
    width: consoleWidth(),
  };
}
