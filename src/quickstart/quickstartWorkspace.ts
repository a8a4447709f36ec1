/**
 * The quickstart's working directory: a copy of examples/quickstart (pipeline, params, suite, gates,
 * rollout) in a temp dir or `--dir`. The TypeScript stage files are symlinks into the checkout and
 * `node_modules` links to the checkout's, so the stage command `node --import tsx train.ts` resolves tsx
 * and the example's imports of FlowOps' own modules exactly as it does inside the repository.
 */
import { existsSync } from "node:fs";
import { copyFile, mkdir, mkdtemp, readdir, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { FlowOpsError } from "../errors.js";

/** Files copied; the rest of the example is linked. */
const COPIED = ["dvc.yaml", "params.yaml", "suite.yaml", "gates.yaml", "rollout.yaml", "README.md"];
const LINKED = ["train.ts", "mlpClassifier.ts", "mlflowModel.ts", "evaluate.ts"];

export interface QuickstartWorkspace {
  /** The data repo and pipeline root. */
  root: string;
  /** The checkout the example came from. */
  checkout: string;
  /** Created by the quickstart (and removed after it), rather than given with `--dir`. */
  temporary: boolean;
}

/**
 * The checkout root: the nearest directory above this module holding examples/quickstart, whether the module
 * runs from src/quickstart, dist/quickstart or a chunk of the bundle in dist/bundle.
 */
export function checkoutRoot(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "examples", "quickstart", "dvc.yaml"))) return dir;
    if (dirname(dir) === dir) {
      throw new FlowOpsError(
        "RESOURCE_DOES_NOT_EXIST",
        `quickstart: no examples/quickstart/dvc.yaml above ${start}; the quickstart runs from a FlowOps checkout`,
      );
    }
  }
}

export async function prepareWorkspace(dir: string | undefined): Promise<QuickstartWorkspace> {
  const checkout = checkoutRoot();
  const example = join(checkout, "examples", "quickstart");
  for (const file of [...COPIED, ...LINKED]) {
    if (!existsSync(join(example, file))) {
      throw new FlowOpsError(
        "RESOURCE_DOES_NOT_EXIST",
        `quickstart: ${join(example, file)} is missing; the quickstart runs from a FlowOps checkout`,
      );
    }
  }
  if (!existsSync(join(checkout, "node_modules", "tsx"))) {
    throw new FlowOpsError(
      "INVALID_STATE",
      `quickstart: ${join(checkout, "node_modules", "tsx")} is missing; run \`npm ci\` in ${checkout} first`,
    );
  }
  const temporary = dir === undefined;
  const root = dir === undefined ? await mkdtemp(join(tmpdir(), "flowops-quickstart-")) : resolve(dir);
  await mkdir(root, { recursive: true });
  if (!temporary && (await readdir(root)).length > 0) {
    throw new FlowOpsError("INVALID_PARAMETER_VALUE", `--dir ${root}: expected an empty or new directory`);
  }
  for (const file of COPIED) await copyFile(join(example, file), join(root, file));
  for (const file of LINKED) await symlink(join(example, file), join(root, file));
  await symlink(join(checkout, "node_modules"), join(root, "node_modules"), "dir");
  await mkdir(join(root, "data"), { recursive: true });
  return { root, checkout, temporary };
}
