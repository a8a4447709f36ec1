/**
 * The one way FlowOps replaces a file: write a temp file in the same directory, then rename over the target,
 * so a reader sees the old content or the new, never half a file, and a failed write leaves no temp behind.
 */
import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export async function writeFileAtomic(path: string, content: string | Uint8Array): Promise<void> {
  // A dot-prefixed temp name keeps it out of directory listings and globs while it exists.
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString("hex")}.tmp`);
  try {
    await writeFile(temp, content);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
