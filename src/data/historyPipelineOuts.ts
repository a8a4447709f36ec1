/**
 * Which outs a past revision's dvc.yaml declares `cache: false`: dvc reads a commit's dvc.lock through the
 * dvc.yaml beside it, so such an out, though the lock records its hash, uses no cache object in that commit.
 */
import { posix } from "node:path";
import { parseYamlText } from "./yamlFile.js";

/**
 * Keys `<stage>\0<path>` of the `cache: false` outs (metrics and plots too) of a dvc.yaml's text in `dir`
 * (POSIX, from the root), spelled as history's lock outs are: stage `train`, or `sub/dvc.yaml:train` below the
 * root, and the path joined to `dir` as the lock's is. A dvc.yaml that does not parse declares none here: the
 * lock's own reading reports what is wrong with the revision.
 */
export function uncachedOuts(text: string, dir: string): Set<string> {
  const keys = new Set<string>();
  let stages: unknown;
  try {
    stages = (parseYamlText("dvc.yaml", text).value as { stages?: unknown } | undefined)?.stages;
  } catch {
    return keys;
  }
  if (typeof stages !== "object" || stages === null) return keys;
  for (const [name, stage] of Object.entries(stages as Record<string, unknown>)) {
    const label = dir === "." ? name : `${dir}/dvc.yaml:${name}`;
    for (const field of ["outs", "metrics", "plots"]) {
      const outs = (stage as Record<string, unknown> | null)?.[field];
      if (!Array.isArray(outs)) continue;
      for (const out of outs) {
        // An out with options is a one-key mapping: `{ path: { cache: false } }`.
        if (typeof out !== "object" || out === null) continue;
        for (const [path, flags] of Object.entries(out as Record<string, unknown>)) {
          if ((flags as { cache?: unknown } | null)?.cache === false)
            keys.add(`${label}\0${posix.join(dir, path)}`);
        }
      }
    }
  }
  return keys;
}
