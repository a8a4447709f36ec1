/**
 * A file tracked as DVC 2 tracked it: a text file with CRLF line ends, recorded without `hash: md5` under its
 * md5-dos2unix hash (CRLF hashed as LF), with the object in DVC 2's cache layout.
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";

export async function writeDvc2CrlfFile(
  repoDir: string,
  name = "crlf.txt",
): Promise<{ text: string; legacyMd5: string }> {
  const text = "line1\r\nline2\r\n";
  const legacyMd5 = createHash("md5").update(text.replaceAll("\r\n", "\n")).digest("hex");
  await writeFile(join(repoDir, name), text);
  await mkdir(join(repoDir, ".dvc", "cache", legacyMd5.slice(0, 2)), { recursive: true });
  await writeFile(join(repoDir, ".dvc", "cache", legacyMd5.slice(0, 2), legacyMd5.slice(2)), text);
  await writeFile(
    join(repoDir, `${name}.dvc`),
    `outs:\n- md5: ${legacyMd5}\n  size: ${Buffer.byteLength(text)}\n  path: ${name}\n`,
  );
  return { text, legacyMd5 };
}
