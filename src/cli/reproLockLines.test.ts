// dvc's lock lines after a stage (dvc 3.67.1 `ProjectFile.dump_stages`), named from the cwd, silent with -q.
import { join } from "node:path";
import { afterEach, expect, it, vi } from "vitest";
import type { StageResult } from "../pipelines/reproResult.js";
import { reproPrinter } from "./reproProgress.js";

afterEach(() => vi.restoreAllMocks());

const printed = (result: StageResult, quiet = false): string => {
  let text = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    text += String(chunk);
    return true;
  });
  reproPrinter({ quiet }, (name) => name)({ type: "stage-end", result });
  vi.restoreAllMocks();
  return text;
};

const ran = (lockFile?: StageResult["lockFile"]): StageResult => ({
  name: "a",
  outcome: "ran",
  changes: [],
  attempts: 1,
  durationMs: 0,
  ...(lockFile !== undefined ? { lockFile } : {}),
});

it("says a new lock file is generated and updated, an existing one updated", () => {
  const path = join(process.cwd(), "sub", "dvc.lock");
  expect(printed(ran({ path, generated: true }))).toBe(
    "Stage 'a' ran in 0.0 s.\nGenerating lock file 'sub/dvc.lock'\nUpdating lock file 'sub/dvc.lock'\n",
  );
  expect(printed(ran({ path, generated: false }))).toBe(
    "Stage 'a' ran in 0.0 s.\nUpdating lock file 'sub/dvc.lock'\n",
  );
  expect(printed(ran())).toBe("Stage 'a' ran in 0.0 s.\n");
  expect(printed(ran({ path, generated: false }), true)).toBe("");
});
