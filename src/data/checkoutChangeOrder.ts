/**
 * The order dvc's checkout lists the outs it changed (`dvc.repo.checkout`): in each list, directories first,
 * then files, each alphabetically by the path it prints (a directory's ends in "/"). Pull prints the same lists.
 */
export function sortCheckoutChanges(paths: string[]): string[] {
  const isDir = (path: string): number => (path.endsWith("/") ? 0 : 1);
  // Python compares strings by code point; "<" on JS strings compares UTF-16 units, the same outside astral planes.
  return paths.sort((a, b) => isDir(a) - isDir(b) || (a < b ? -1 : a > b ? 1 : 0));
}
