import { CommanderError, type Command } from "commander";
import { describe, expect, it, vi } from "vitest";
import { serverCommand } from "./server.js";

// The options must be refused before anything starts: a server that started would be a failed test.
vi.mock("../server/start.js", () => ({
  startServer: () => Promise.reject(new Error("the server must not start")),
}));

async function usageError(args: string[]): Promise<unknown> {
  const errors: string[] = [];
  const command: Command = serverCommand()
    .exitOverride()
    .configureOutput({ writeErr: (text) => errors.push(text), writeOut: () => undefined });
  const error = await command.parseAsync(args, { from: "user" }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return error instanceof CommanderError ? errors.join("") : error;
}

describe("flowops server", () => {
  it("refuses a --port that is not an integer from 0 to 65535, naming the option", async () => {
    for (const port of ["abc", "70000", "1.5", ""]) {
      expect(await usageError(["--port", port])).toMatch(
        /option '-p, --port <port>' argument '.*' is invalid\. expected an integer from 0 to 65535/,
      );
    }
  });

  it("refuses a --body-limit that is not a positive integer, naming the option", async () => {
    expect(await usageError(["--body-limit", "lots"])).toMatch(
      /option '--body-limit <bytes>' argument 'lots' is invalid\. expected a positive integer/,
    );
  });
});
