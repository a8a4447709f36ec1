import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { reproConfirmation, type ReproConfirmationIo } from "./reproConfirmation.js";

// dvc 3.67.1's `prompt.confirm`, run on a terminal: stdin piped "maybe\nY\nno\n" to `dvc repro -i` shows
//   Going to reproduce stage: 'a'. Are you sure you want to continue? [y/n] Your response must be one of: ...
// on stdout; with stdin a terminal the question goes to stderr; with stdout not a terminal nothing is asked.

const ASK = (name: string): string =>
  `Going to reproduce stage: '${name}'. Are you sure you want to continue? [y/n] `;
const RETRY = "Your response must be one of: ['yes', 'no', 'y', 'n']. Please try again.\n";

function io(input: string, tty: { stdin?: boolean; stdout?: boolean } = {}) {
  const shown: string[] = [];
  const value: ReproConfirmationIo = {
    input: Readable.from([input]),
    stdinIsTty: tty.stdin ?? false,
    stdoutIsTty: tty.stdout ?? true,
    prompt: (text, toStderr) => shown.push(`${toStderr ? "2" : "1"}:${text}`),
    write: (text) => shown.push(`1:${text}`),
  };
  return { shown, value };
}

const named = (name: string): string => `named-${name}`;

describe("reproConfirmation", () => {
  it("asks nothing and answers no when stdout is not a terminal", async () => {
    const { shown, value } = io("y\n", { stdout: false });
    expect(await reproConfirmation(named, "/ws", undefined, value)({ name: "a" })).toBe(false);
    expect(shown).toEqual([]);
  });

  it("asks on stdout with stdin piped, again after a reply it does not know, any case", async () => {
    const { shown, value } = io("maybe\nY\nno\n");
    const asked: string[] = [];
    const confirm = reproConfirmation(named, "/ws", (name) => asked.push(name), value);
    expect(await confirm({ name: "a" })).toBe(true);
    expect(await confirm({ name: "/ws/src/s.txt.dvc" })).toBe(false);
    expect(shown).toEqual([
      `1:${ASK("named-a")}`,
      `1:${RETRY}`,
      `1:${ASK("named-a")}`,
      `1:${ASK("src/s.txt.dvc")}`,
    ]);
    expect(asked).toEqual(["a", "/ws/src/s.txt.dvc"]);
  });

  it("asks on stderr when stdin is a terminal too; the end of input is a no", async () => {
    const { shown, value } = io("", { stdin: true });
    expect(await reproConfirmation(named, "/ws", undefined, value)({ name: "a" })).toBe(false);
    expect(shown).toEqual([`2:${ASK("named-a")}`]);
  });
});
