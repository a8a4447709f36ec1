/**
 * Test fixture: `f.txt.dvc` as `dvc import /tmp/up f.txt` (dvc 3.67.1) writes it, for a 3-byte `hi\n`. Its md5
 * is dvc's for these contents, frozen or not (dvc leaves `frozen` out of the stage md5).
 */
export const REPO_IMPORT_MD5 = "d2c7da53ba72497f5bd8c6ddafcda250";

export function repoImportDvcFile(frozen: boolean): string {
  return (
    `md5: ${REPO_IMPORT_MD5}\n${frozen ? "frozen: true\n" : ""}deps:\n- path: f.txt\n  repo:\n    url: /tmp/up\n` +
    "    rev_lock: 72e093c4972be7fff541567c46f3013449ed9805\nouts:\n- md5: 764efa883dda1e11db47671c4a3bbd9e\n" +
    "  size: 3\n  hash: md5\n  path: f.txt\n"
  );
}
