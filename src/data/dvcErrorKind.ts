/**
 * The few dvc exception families that decide dvc's exit code whatever the command (dvc/cli/__init__.py), so
 * the CLI can exit as dvc does without matching on messages: a ConfigError (NoRemoteError,
 * RemoteNotFoundError) that escapes its command exits 251 ("configuration error"), and an exception that is
 * not a DvcException, such as dvc-data's IgnoreInCollectedDirError, escapes every command's handler and
 * exits 255. Of those, one that dvc's main does not know by name (a plain Python error, such as unprotect's
 * of a missing path) is logged as an "unexpected error" with dvc's support footer ("unexpected"). A config
 * that does not load (a syntax error, an unknown section, a bad value) is a ConfigError raised while dvc
 * opens the repository, before any command's handler runs, so it exits 251 from every command
 * ("unloadableConfig"). src/data marks the errors it throws; only src/cli reads the marks (the exit code in
 * dvcExitCodes.ts, the error line in dvcErrorLine.ts).
 */

export type DvcErrorKind = "config" | "unloadableConfig" | "uncaught" | "unexpected";

const kinds = new WeakMap<object, DvcErrorKind>();

/** Marks `error` as standing for one of dvc's exception families, and returns it. */
export function markDvcError<E extends object>(error: E, kind: DvcErrorKind): E {
  kinds.set(error, kind);
  return error;
}

/** The family `error` was marked with, if any. */
export function dvcErrorKind(error: unknown): DvcErrorKind | undefined {
  return typeof error === "object" && error !== null ? kinds.get(error) : undefined;
}
