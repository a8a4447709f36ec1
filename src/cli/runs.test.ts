import { CommanderError } from "commander";
import { describe, expect, it, vi } from "vitest";
import { runsCommand } from "./runs.js";

// The option must be refused before any request: a request made would be a failed test.
vi.mock("./trackingClient.js", () => ({
  clientFor: () => {
    throw new Error("no request may be sent");
  },
}));

describe("flowops runs", () => {
  it("refuses a --max-results that is not a positive integer, naming the option", async () => {
    for (const value of ["abc", "0", "2.5"]) {
      const errors: string[] = [];
      const command = runsCommand();
      for (const c of [command, ...command.commands]) {
        c.exitOverride().configureOutput({
          writeErr: (text) => errors.push(text),
          writeOut: () => undefined,
        });
      }
      const error = await command
        .parseAsync(["ls", "-e", "1", "--max-results", value], { from: "user" })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(error).toBeInstanceOf(CommanderError);
      expect(errors.join("")).toContain(
        `option '--max-results <n>' argument '${value}' is invalid. expected a positive integer`,
      );
    }
  });
});
