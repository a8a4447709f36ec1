/**
 * examples/pseudo-labeling set up as a user's project that depends on the flowops package: its own DVC project
 * (the example's .dvc/config), dvc.yaml and params.yaml copied so a test may edit them, and a node_modules
 * holding `flowops` (the checkout) with its bin linked into node_modules/.bin, which is where the `label`
 * stage's `npx --no flowops` finds it, and `tsx`. The TypeScript stage files are symlinks into the checkout:
 * Node resolves a module's imports from its real path, so their imports of the quickstart's and FlowOps' own
 * modules resolve as they do in the example's directory (as in src/quickstart/quickstartWorkspace.ts).
 */
import { copyFile, mkdir, symlink, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";

export const CHECKOUT = resolve(import.meta.dirname, "..", "..");
export const EXAMPLE = join(CHECKOUT, "examples", "pseudo-labeling");

const COPIED = [".dvc/config", ".dvc/.gitignore", ".dvcignore", "dvc.yaml", "params.yaml"];
const LINKED = ["prepare.ts", "teacher.ts", "student.ts", "tableTraining.ts"];

/** Creates the project in `root` (which must not exist yet or be empty). */
export async function createPseudoLabelingWorkspace(root: string): Promise<void> {
  for (const file of COPIED) {
    await mkdir(dirname(join(root, file)), { recursive: true });
    await copyFile(join(EXAMPLE, file), join(root, file));
  }
  for (const file of LINKED) await symlink(join(EXAMPLE, file), join(root, file));
  await writeFile(
    join(root, "package.json"),
    `${JSON.stringify({ name: "pseudo-labeling", private: true, dependencies: { flowops: `file:${CHECKOUT}` } }, null, 2)}\n`,
  );
  const modules = join(root, "node_modules");
  await mkdir(join(modules, ".bin"), { recursive: true });
  await symlink(CHECKOUT, join(modules, "flowops"), "dir");
  await symlink(join(CHECKOUT, "node_modules", "tsx"), join(modules, "tsx"), "dir");
  // What npm links for a dependency's bin entry (package.json "bin": {"flowops": "bin/flowops.js"}).
  await symlink(join("..", "flowops", "bin", "flowops.js"), join(modules, ".bin", "flowops"));
}

/**
 * The environment the tools run stages in: npm offline, so that `npx` fails rather than reaching the registry
 * if it ever stopped finding the local flowops, and the node running the tests first on PATH.
 */
export function offlineStageEnv(home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
    FLOWOPS_HOME: home,
    npm_config_offline: "true",
    npm_config_update_notifier: "false",
    MLFLOW_TRACKING_URI: "",
  };
}
