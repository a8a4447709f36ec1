/**
 * Test fixture for `get`, `import` and `update`: a source repository at `<base>/source` with a local remote
 * at `<base>/remote`. data/ (a.txt, sub/b.txt) and model.bin are tracked and pushed, train.py is in Git;
 * then data/c.txt is added in a second commit, which is not pushed.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { addTargets } from "./addTargets.js";
import { closeDataRepo, initDataRepo, openDataRepo } from "./dataRepo.js";
import { gitIn } from "./gitFixtures.js";
import { push } from "./pushPull.js";

export async function makeSourceRepo(base: string): Promise<string> {
  const source = join(base, "source");
  const git = gitIn(() => source);
  await mkdir(join(source, "data", "sub"), { recursive: true });
  git("init", "-q");
  closeDataRepo(await initDataRepo(source));
  await writeFile(
    join(source, ".dvc", "config"),
    `[core]\n    remote = store\n['remote "store"']\n    url = ${join(base, "remote")}\n`,
  );
  const repo = await openDataRepo(source);
  try {
    await writeFile(join(source, "data", "a.txt"), "one\n");
    await writeFile(join(source, "data", "sub", "b.txt"), "two\n");
    await writeFile(join(source, "model.bin"), "weights\n");
    await writeFile(join(source, "train.py"), "print(1)\n");
    await addTargets(repo, ["data", "model.bin"], { cwd: source });
    git("add", "-A");
    git("commit", "-qm", "one");
    await push(repo);
    await writeFile(join(source, "data", "c.txt"), "three\n");
    await addTargets(repo, ["data"], { cwd: source });
    git("commit", "-qam", "two");
  } finally {
    closeDataRepo(repo);
  }
  return source;
}
