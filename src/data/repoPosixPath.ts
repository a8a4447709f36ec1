import { relative, sep } from "node:path";

/** `abs` relative to `root` with `/` separators, as dvc writes paths in its files on every platform. */
export function relPosix(root: string, abs: string): string {
  return relative(root, abs).split(sep).join("/");
}
