/**
 * A stage's `outs`, `metrics` and `plots` lists as dvc.yaml writes them: a bare path, or a path mapped to
 * its flags (cache, persist, remote, push, desc, and plot properties for plots).
 */
import { resolve } from "node:path";
import { isInsideRepository } from "../data/dvcFile.js";
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

/** Where the stage runs and the repository it must write its cached outs inside. */
export interface StagePlace {
  wdir: string;
  repoRoot: string;
}

/**
 * Parses the resolved `key` list (`outs`, `metrics` or `plots`) of stage `name`. A cached out outside the
 * repository is an error, as in DVC 3 (which dropped cached external outputs): caching it would write its
 * `.gitignore` entry, and a checkout would write its content, outside the repository.
 */
export function parseStageOuts(
  raw: unknown,
  key: string,
  name: string,
  fail: Fail,
  at: (key: string) => (string | number)[],
  place: StagePlace,
): StageOut[] {
  const outs: StageOut[] = [];
  const checked = (out: StageOut, index: number): StageOut => {
    if (out.cache && !isInsideRepository(resolve(place.wdir, out.path), place.repoRoot)) {
      throw fail(
        [...at(key), index],
        `stage '${name}': cached output '${out.path}' is outside the repository; DVC 3 does not save ` +
          "cached external outputs (mark it 'cache: false' to leave it uncached)",
      );
    }
    return out;
  };
  for (const [index, entry] of ((raw ?? []) as unknown[]).entries()) {
    if (typeof entry === "string") {
      outs.push(checked({ path: entry, cache: true, persist: false }, index));
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
      outs.push(checked(out, index));
    }
  }
  return outs;
}
