/**
 * A stage's `outs`, `metrics` and `plots` lists as dvc.yaml writes them: a bare path, or a path mapped to
 * its flags (cache, persist, remote, push, desc, and plot properties for plots).
 */
import { isPlainObject } from "./pythonValues.js";
import type { Fail } from "./dvcYaml.js";

export interface StageOut {
  /** As written in dvc.yaml, relative to the stage's wdir (POSIX). */
  path: string;
  cache: boolean;
  persist: boolean;
  remote?: string;
  push?: boolean;
  desc?: string;
  /** Plot properties (template, x, y, ...) for plots. */
  plot?: Record<string, unknown>;
}

/** Parses the resolved `key` list (`outs`, `metrics` or `plots`) of stage `name`. */
export function parseStageOuts(
  raw: unknown,
  key: string,
  name: string,
  fail: Fail,
  at: (key: string) => (string | number)[],
): StageOut[] {
  const outs: StageOut[] = [];
  for (const [index, entry] of ((raw ?? []) as unknown[]).entries()) {
    if (typeof entry === "string") {
      outs.push({ path: entry, cache: true, persist: false });
      continue;
    }
    if (!isPlainObject(entry)) throw fail([...at(key), index], `stage '${name}': invalid ${key} entry`);
    for (const [path, flagsRaw] of Object.entries(entry)) {
      const flags = (flagsRaw ?? {}) as Record<string, unknown>;
      const out: StageOut = { path, cache: flags.cache !== false, persist: flags.persist === true };
      if (typeof flags.remote === "string") out.remote = flags.remote;
      if (typeof flags.push === "boolean") out.push = flags.push;
      if (typeof flags.desc === "string") out.desc = flags.desc;
      if (key === "plots") {
        const plot = Object.fromEntries(
          Object.entries(flags).filter(([k]) => !["cache", "persist", "remote", "push", "desc"].includes(k)),
        );
        if (Object.keys(plot).length > 0) out.plot = plot;
      }
      outs.push(out);
    }
  }
  return outs;
}
