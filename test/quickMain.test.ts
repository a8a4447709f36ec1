/**
 * The quick commands run from a bundle of their own (src/cli/quickMain.ts), chosen by bin/flowops.js from its
 * own list of names. Both must name the same commands, and each must be main.ts's command, option for option,
 * or `flowops data ...` would differ from what `flowops --help` describes.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../src/cli/main.js";
import { QUICK_COMMANDS } from "../src/cli/quickMain.js";

const ROOT = resolve(import.meta.dirname, "..");

/** A command's names, options and arguments, its subcommands' too. */
function shape(command: Command): unknown {
  return {
    name: command.name(),
    description: command.description(),
    options: command.options.map((option) => option.flags),
    arguments: command.registeredArguments.map((argument) => argument.name()),
    commands: command.commands.map(shape),
  };
}

describe("the quick commands' bundle", () => {
  it("is chosen by bin/flowops.js for exactly the quick commands", () => {
    const bin = readFileSync(join(ROOT, "bin", "flowops.js"), "utf8");
    const listed = /const QUICK_COMMANDS = (\[[^\]]*\]);/.exec(bin)?.[1];
    expect(listed).toBeDefined();
    expect(JSON.parse(listed!)).toEqual(QUICK_COMMANDS.map(([name]) => name));
  });

  it.each(QUICK_COMMANDS.map(([name, load]) => [name, load] as const))(
    "defines %s as main.ts does",
    async (name, load) => {
      const full = COMMANDS.find(([other]) => other === name);
      expect(full).toBeDefined();
      expect(shape(await load())).toEqual(shape(await full![1]()));
    },
  );
});
