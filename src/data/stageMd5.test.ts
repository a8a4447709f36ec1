import { describe, expect, it } from "vitest";
import { hasStageMd5, singleStageMd5 } from "./stageMd5.js";

// Both digests were written by dvc 3.67.1's `import-url` for the same file.
const IMPORTED = {
  md5: "99eff23dd6cc317fdbcec87835d97c33",
  frozen: true,
  deps: [{ md5: "738bb2e514e4c8141281efa630650db0", size: 11, hash: "md5", path: "/tmp/src/a.txt" }],
  outs: [{ md5: "738bb2e514e4c8141281efa630650db0", size: 11, hash: "md5", path: "a.txt" }],
};

describe("singleStageMd5", () => {
  it("is dvc's compute_md5 of an import", () => {
    expect(singleStageMd5(IMPORTED)).toBe("99eff23dd6cc317fdbcec87835d97c33");
  });

  it("ignores what dvc ignores: frozen, sizes, desc, meta, the default wdir", () => {
    const annotated = {
      ...IMPORTED,
      frozen: false,
      desc: "raw data",
      meta: { owner: "me" },
      wdir: ".",
      outs: [{ ...IMPORTED.outs[0], size: 99, desc: "x", isexec: true }],
    };
    expect(singleStageMd5(annotated)).toBe(IMPORTED.md5);
  });

  it("changes with a dep's hash or an out's path", () => {
    const dep = { ...IMPORTED.deps[0], md5: "b1946ac92492d2347c6235b4d2611184" };
    expect(singleStageMd5({ ...IMPORTED, deps: [dep] })).not.toBe(IMPORTED.md5);
    expect(singleStageMd5({ ...IMPORTED, outs: [{ ...IMPORTED.outs[0], path: "b.txt" }] })).not.toBe(
      IMPORTED.md5,
    );
  });

  it("is dvc's for an import written with --no-download (an out without hashes)", () => {
    const noDownload = {
      frozen: true,
      deps: [{ md5: "738bb2e514e4c8141281efa630650db0", size: 11, hash: "md5", path: "/tmp/src/a.txt" }],
      outs: [{ hash: "md5", path: "c.txt" }],
    };
    expect(singleStageMd5(noDownload)).toBe("d3436914106ff3dffd4ccb20527e9e29");
  });
});

describe("hasStageMd5", () => {
  it("holds for imports and command stages, not for dvc add files", () => {
    expect(hasStageMd5(IMPORTED)).toBe(true);
    expect(hasStageMd5({ outs: IMPORTED.outs })).toBe(false);
    expect(hasStageMd5({ cmd: "python x.py", deps: [], outs: IMPORTED.outs })).toBe(true);
    expect(hasStageMd5({ deps: [...IMPORTED.deps, ...IMPORTED.deps], outs: IMPORTED.outs })).toBe(false);
  });
});
