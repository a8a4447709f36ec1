/**
 * The quick commands (data status, repro, dag, params, metrics) are judged against dvc by their start-up
 * time, and loading zod alone costs them ~40 ms. This follows every static import (not `import type`, not
 * `await import()`) from their command modules and fails when one reaches a package they must not load.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..");
const STATIC_IMPORT = /^(?:import|export)\s+(?!type\b)([^;]*?)\s*from\s*"([^"]+)";|^import\s+"([^"]+)";/gms;

/** The chain of files from `entry` to a static import of `pkg`, or undefined when there is none. */
function importChain(entry: string, pkg: string): string[] | undefined {
  const parent = new Map<string, string | null>([[entry, null]]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const match of readFileSync(file, "utf8").matchAll(STATIC_IMPORT)) {
      const names = match[1] ?? "";
      const spec = (match[2] ?? match[3])!;
      if (onlyTypes(names)) continue;
      if (spec === pkg || spec.startsWith(`${pkg}/`)) {
        const chain = [spec];
        for (let at: string | null | undefined = file; at; at = parent.get(at))
          chain.unshift(relative(ROOT, at));
        return chain;
      }
      if (!spec.startsWith(".")) continue;
      const target = resolve(dirname(file), spec.replace(/\.js$/, ".ts"));
      if (!existsSync(target) || parent.has(target)) continue;
      parent.set(target, file);
      queue.push(target);
    }
  }
  return undefined;
}

/** Every source file `entry` loads through static imports (repo-relative). */
function staticallyLoaded(entry: string): string[] {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
    for (const match of readFileSync(file, "utf8").matchAll(STATIC_IMPORT)) {
      const spec = (match[2] ?? match[3])!;
      if (onlyTypes(match[1] ?? "") || !spec.startsWith(".")) continue;
      const target = resolve(dirname(file), spec.replace(/\.js$/, ".ts"));
      if (!existsSync(target) || seen.has(target)) continue;
      seen.add(target);
      queue.push(target);
    }
  }
  return [...seen].map((file) => relative(ROOT, file));
}

/** `{ type A, type B }`: erased by the compiler, so nothing is loaded. */
function onlyTypes(names: string): boolean {
  const braces = /^\{([^}]*)\}$/s.exec(names.trim());
  return braces !== null && braces[1]!.split(",").every((name) => /^\s*(type\s.*)?$/s.test(name));
}

const QUICK_COMMANDS = [
  "src/cli/data.ts",
  "src/cli/repro.ts",
  "src/cli/pipelineInspect.ts",
  "src/cli/quickMain.ts",
];

describe("start-up imports of the quick commands", () => {
  it.each(QUICK_COMMANDS)("%s loads neither zod nor the HTTP server", (entry) => {
    expect(importChain(join(ROOT, entry), "zod")).toBeUndefined();
    expect(importChain(join(ROOT, entry), "fastify")).toBeUndefined();
  });

  it("repro loads the tracking client and remote pulls only when asked for them", () => {
    const loaded = staticallyLoaded(join(ROOT, "src/cli/repro.ts"));
    expect(loaded.filter((file) => file.startsWith("src/client/"))).toEqual([]);
    expect(loaded).not.toContain("src/pipelines/reproTracking.ts");
    expect(loaded).not.toContain("src/pipelines/reproPull.ts");
    expect(loaded).toContain("src/pipelines/repro.ts");
  });

  it("finds a chain where one exists", () => {
    expect(importChain(join(ROOT, "src/server/wire.ts"), "zod")).toEqual(["src/server/wire.ts", "zod"]);
    expect(importChain(join(ROOT, "src/server/rpc.ts"), "zod")?.at(-1)).toBe("zod");
  });
});
