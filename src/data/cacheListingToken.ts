/**
 * A digest of the object cache's listing: the inode and mtime of each of its 256 fan-out directories. Adding,
 * removing or renaming an object changes its directory's mtime, so while the token is unchanged a conclusion
 * like "every object of this tree is present" still holds, and an unchanged `status` need not list the
 * directories again. A directory changed in the last two seconds makes the token unusable: mtimes are kept
 * at the kernel's clock tick, so a change within the same tick could leave the mtime as it was.
 */
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { dirname, join } from "node:path";
import type { ObjectCache } from "./objectCache.js";

const SETTLED_NS = 2_000_000_000n;

export function cacheListingToken(cache: Pick<ObjectCache, "objectPath">): string | undefined {
  const fanOutRoot = dirname(dirname(cache.objectPath("0".repeat(32))));
  const settledBefore = BigInt(Date.now()) * 1_000_000n - SETTLED_NS;
  const parts: string[] = [];
  for (let byte = 0; byte < 256; byte++) {
    const name = byte.toString(16).padStart(2, "0");
    const st = statSync(join(fanOutRoot, name), { bigint: true, throwIfNoEntry: false });
    if (st === undefined) {
      parts.push("-");
      continue;
    }
    if (st.mtimeNs > settledBefore) return undefined;
    parts.push(`${st.ino}:${st.mtimeNs}`);
  }
  return createHash("md5")
    .update(`${fanOutRoot}\n${parts.join("\n")}`)
    .digest("hex");
}
