/**
 * What a local model directory holds, as a digest of its files' paths, sizes and modification times: the part
 * of `flowops predict`'s resume key that tells one model from another. The model's name and version alone
 * ("1" for every local directory) let a run resume an interrupted one's parts after the model in the same
 * directory was retrained, mixing two models' predictions in one output. Sizes and times, not contents, as the
 * input file is keyed: a model may be gigabytes, and a rewrite changes its times.
 */
import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import { parseModelUri } from "./modelUri.js";

/** The key of the model a URI names when it is a local path (a directory or a file); undefined otherwise. */
export async function localModelKey(uri: string): Promise<string | undefined> {
  const parsed = parseModelUri(uri);
  if (parsed.kind !== "local") return undefined;
  const root = parsed.path;
  const hash = createHash("sha256");
  const visit = async (path: string): Promise<void> => {
    const info = await stat(path);
    if (info.isDirectory()) {
      const names = (await readdir(path)).sort();
      for (const name of names) await visit(join(path, name));
      return;
    }
    const name = relative(root, path).split(sep).join("/");
    hash.update(`${JSON.stringify([name, info.size, info.mtimeMs])}\n`);
  };
  try {
    await visit(root);
  } catch {
    // Unreadable or gone: loading the model reports that; the key then only says so.
    return undefined;
  }
  return hash.digest("hex");
}
