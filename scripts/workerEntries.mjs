/**
 * The worker threads' modules, found where they are started: every `startModuleWorker(import.meta.url, "name")`
 * in src/ names `name.ts` beside its caller. The CLI bundle makes each one an entry of its own, so the
 * bundled caller finds `./name.js` beside its chunk. Found rather than listed by hand: a worker missing from a
 * hand-kept list only failed in the bundled command (`flowops drift` on a large table did).
 */
import { readdir, readFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { cwd } from "node:process";

const START = /startModuleWorker\(\s*import\.meta\.url,\s*"([A-Za-z0-9_]+)"/g;

/** `{ name: "src/.../name.ts" }` for every worker module started in `srcDir` (test files left out). */
export async function workerEntries(srcDir = "src") {
  const entries = {};
  for (const file of await sourceFiles(srcDir)) {
    for (const match of (await readFile(file, "utf8")).matchAll(START)) {
      const name = match[1];
      const path = relative(cwd(), join(dirname(file), `${name}.ts`));
      if (entries[name] !== undefined && entries[name] !== path) {
        throw new Error(`two worker modules are named ${name}: ${entries[name]} and ${path}`);
      }
      entries[name] = path;
    }
  }
  return entries;
}

async function sourceFiles(dir) {
  const files = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) files.push(path);
  }
  return files;
}
