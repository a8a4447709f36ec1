/**
 * Test fixture: a temp folder made in a `beforeAll` of the calling describe block (or file) and removed in its
 * `afterAll`. Test-only; nothing in the product imports it.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { afterAll, beforeAll } from "vitest";

/** Registers the hooks; the returned function gives the folder's path once the block has started. */
export function blockTempDir(prefix: string): () => string {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterAll(async () => {
    if (dir !== "") await rm(dir, { recursive: true, force: true });
  });
  return () => {
    if (dir === "") throw new Error("the temp folder is made when the block starts: use it in a test");
    return dir;
  };
}
