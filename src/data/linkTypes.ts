/**
 * How a cache object becomes a workspace file: DVC's `cache.type` (reflink, hardlink, symlink, copy), tried in
 * the configured order until one works on this filesystem. FlowOps defaults to `copy` rather than DVC's
 * `reflink,copy`-then-anything: a copy can never corrupt the cache when a user edits the workspace file.
 * Every link is made under a temp name beside the destination and renamed over it, so the destination is at
 * all times either the old file or the complete new one.
 */
import { randomBytes } from "node:crypto";
import { constants as fsConstants } from "node:fs";
import { chmod, copyFile, link, mkdir, rename, rm, symlink } from "node:fs/promises";
import { dirname, join, basename } from "node:path";
import { FlowOpsError } from "../errors.js";

export const LINK_TYPES = ["reflink", "hardlink", "symlink", "copy"] as const;
export type LinkType = (typeof LINK_TYPES)[number];

/** Mode of a copied workspace file; cache objects are 0444, the workspace copy must be editable. */
const WORKSPACE_FILE_MODE = 0o644;

/** Parses DVC's comma-separated `cache.type`; unset means `["copy"]`. */
export function parseLinkTypes(value?: string): LinkType[] {
  if (value === undefined || value.trim() === "") return ["copy"];
  const types = value.split(",").map((item) => item.trim());
  for (const type of types) {
    if (!(LINK_TYPES as readonly string[]).includes(type)) {
      throw new FlowOpsError(
        "INVALID_PARAMETER_VALUE",
        `cache.type: unknown link type '${type}' (known: ${LINK_TYPES.join(", ")})`,
      );
    }
  }
  return [...new Set(types as LinkType[])];
}

/**
 * Puts the object at `destAbs` with the first link type that works and returns it. `isexec` sets the
 * executable bits on copies and hard links (a hard link shares the object's mode, which stays read-only).
 */
export async function linkFromCache(
  objectAbs: string,
  destAbs: string,
  types: readonly LinkType[],
  options: { isexec?: boolean } = {},
): Promise<LinkType> {
  if (types.length === 0) throw new FlowOpsError("INVALID_PARAMETER_VALUE", "cache.type lists no link type");
  await mkdir(dirname(destAbs), { recursive: true });
  const errors: string[] = [];
  for (const type of types) {
    const temp = join(dirname(destAbs), `.${basename(destAbs)}.${randomBytes(6).toString("hex")}.tmp`);
    try {
      await makeLink(type, objectAbs, temp, options.isexec === true);
      await rename(temp, destAbs);
      // rename(2) does nothing when both names are hard links to one file, as when the destination is
      // already linked to this object, and the temp name would stay behind.
      if (type === "hardlink") await rm(temp, { force: true });
      return type;
    } catch (error) {
      await rm(temp, { force: true });
      errors.push(`${type}: ${(error as Error).message}`);
    }
  }
  throw new FlowOpsError(
    "INVALID_STATE",
    `cannot link ${objectAbs} to ${destAbs} with cache.type ${types.join(",")} (${errors.join("; ")})`,
  );
}

async function makeLink(type: LinkType, objectAbs: string, temp: string, isexec: boolean): Promise<void> {
  switch (type) {
    case "reflink":
      // FICLONE_FORCE fails where the filesystem cannot share extents instead of silently copying.
      await copyFile(objectAbs, temp, fsConstants.COPYFILE_FICLONE_FORCE);
      await chmod(temp, isexec ? 0o755 : WORKSPACE_FILE_MODE);
      return;
    case "hardlink":
      await link(objectAbs, temp);
      if (isexec) await chmod(temp, 0o555);
      return;
    case "symlink":
      await symlink(objectAbs, temp);
      return;
    case "copy":
      await copyFile(objectAbs, temp);
      await chmod(temp, isexec ? 0o755 : WORKSPACE_FILE_MODE);
      return;
    default:
      return assertNever(type);
  }
}

function assertNever(value: never): never {
  throw new FlowOpsError("INTERNAL_ERROR", `unhandled link type ${String(value)}`);
}
