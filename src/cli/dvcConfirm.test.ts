import { Readable } from "node:stream";
import { expect, it } from "vitest";
import { confirmLikeDvc, consoleWidth, wrapLikeRich } from "./dvcConfirm.js";
import { DESTROY_STATEMENT } from "../data/destroyRepo.js";

async function ask(input: string, width = 80): Promise<{ answer: boolean; shown: string }> {
  let shown = "";
  const answer = await confirmLikeDvc(DESTROY_STATEMENT, {
    input: Readable.from([input]),
    prompt: (text) => (shown += text),
    write: (text) => (shown += text),
    width,
  });
  return { answer, shown };
}

const PROMPT =
  "This will destroy all information about your pipelines, all data files, as well \n" +
  "as cache in .dvc/cache.\nAre you sure you want to continue? [y/n]: ";

it("prints dvc's prompt, wrapped as rich wraps it, and reads the answer from stdin, TTY or not", async () => {
  expect(await ask("n\n")).toEqual({ answer: false, shown: PROMPT });
  expect(await ask("")).toEqual({ answer: false, shown: PROMPT });
  expect((await ask("yes")).answer).toBe(true);
  const retried = await ask("maybe\nY\n");
  expect(retried).toEqual({
    answer: true,
    shown: `${PROMPT}Your response must be one of: ['yes', 'no', 'y', 'n']. Please try again.\n${PROMPT}`,
  });
});

it("wraps at the console width, keeping the space where a line breaks", () => {
  expect(wrapLikeRich(`${DESTROY_STATEMENT} [y/n]: `, 40)).toBe(
    "This will destroy all information about \nyour pipelines, all data files, as well \n" +
      "as cache in .dvc/cache.\nAre you sure you want to continue? \n[y/n]: ",
  );
  expect(consoleWidth({ COLUMNS: "50" })).toBe(50);
});
