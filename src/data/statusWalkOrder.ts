/**
 * The order `dvc status` (no targets) lists stages and `.dvc` files in: the order its index collected them.
 * dvc's `collect_files` walks the workspace with `os.walk`, top-down, a directory's files before its
 * subdirectories, each in the order the filesystem lists them (scandir's, not sorted by name), and a
 * dvc.yaml's stages in the file's order. So a root dvc.yaml's stages may come before or after the root's
 * `.dvc` files, as the directory happens to list them. Node's readdir sorts its names; opendir does not, so
 * the listing is read through it.
 */
import { opendir } from "node:fs/promises";
import { dirname, relative, sep } from "node:path";

/** Name -> place in the directory's unsorted listing; empty when the directory cannot be read. */
async function listingOrder(dir: string): Promise<Map<string, number>> {
  const order = new Map<string, number>();
  try {
    for await (const entry of await opendir(dir)) order.set(entry.name, order.size);
  } catch {
    // A directory that vanished or may not be read orders its names by name (the fallback below).
  }
  return order;
}

/**
 * `items` stably sorted into dvc's walk order of the files that define them (`fileOf`: absolute paths inside
 * `root`); items of one file keep their order.
 */
export async function sortByWalkOrder<T>(
  root: string,
  items: readonly T[],
  fileOf: (item: T) => string,
): Promise<T[]> {
  const parts = new Map<string, string[]>();
  const dirs = new Set<string>();
  for (const item of items) {
    const file = fileOf(item);
    parts.set(file, relative(root, file).split(sep));
    for (let dir = dirname(file); dir.length >= root.length; dir = dirname(dir)) {
      if (dirs.has(dir)) break;
      dirs.add(dir);
      if (dir === dirname(dir)) break;
    }
  }
  const listings = new Map<string, Map<string, number>>();
  await Promise.all([...dirs].map(async (dir) => listings.set(dir, await listingOrder(dir))));
  const place = (dirParts: readonly string[], name: string): number =>
    listings.get([root, ...dirParts].join(sep))?.get(name) ?? Number.MAX_SAFE_INTEGER;
  const compare = (a: readonly string[], b: readonly string[]): number => {
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
    if (i >= a.length || i >= b.length) return a.length - b.length;
    const aIsFile = i === a.length - 1;
    const bIsFile = i === b.length - 1;
    // os.walk yields a directory's files before it enters any of its subdirectories.
    if (aIsFile !== bIsFile) return aIsFile ? -1 : 1;
    const dir = a.slice(0, i);
    const byListing = place(dir, a[i]!) - place(dir, b[i]!);
    return byListing !== 0 ? byListing : a[i]! < b[i]! ? -1 : a[i]! > b[i]! ? 1 : 0;
  };
  return [...items].sort((x, y) => compare(parts.get(fileOf(x))!, parts.get(fileOf(y))!));
}
