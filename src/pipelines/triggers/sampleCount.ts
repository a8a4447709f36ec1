/**
 * How many samples a dataset holds, for the new-data trigger: rows of a CSV/TSV file (the header row not
 * counted; a newline inside a quoted field does not end a row), lines of a JSONL file, files under a
 * directory. Blank lines are not samples. Files are read in chunks, never whole.
 */
import { open, readdir, stat } from "node:fs/promises";
import { extname, join } from "node:path";
import { invalidParameter, notFound } from "../../errors.js";

const CHUNK = 1 << 20;
const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const QUOTE = 0x22;

type LineFormat = "csv" | "jsonl";
const FORMATS: Readonly<Record<string, LineFormat>> = {
  ".csv": "csv",
  ".tsv": "csv",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
};

export async function countSamples(absPath: string): Promise<number> {
  const info = await stat(absPath).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") throw notFound(`Dataset path ${absPath} does not exist.`);
    throw error;
  });
  if (info.isDirectory()) return countFiles(absPath);
  const format = FORMATS[extname(absPath).toLowerCase()];
  if (format === undefined) {
    throw invalidParameter(
      `Cannot count samples of ${absPath}: expected a directory (one sample per file) or a file ending in ${Object.keys(FORMATS).join(", ")}.`,
    );
  }
  const records = await countRecords(absPath, format === "csv");
  return format === "csv" ? Math.max(0, records - 1) : records;
}

/** Regular files below the directory; symlinks are not followed, as DVC does not follow them into dirs. */
async function countFiles(dir: string): Promise<number> {
  let count = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) count += await countFiles(join(dir, entry.name));
    else if (entry.isFile()) count += 1;
  }
  return count;
}

async function countRecords(path: string, quoted: boolean): Promise<number> {
  const handle = await open(path, "r");
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    let count = 0;
    let lineHasContent = false;
    let inQuotes = false;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead; i++) {
        const byte = buffer[i];
        if (byte === NEWLINE && !inQuotes) {
          if (lineHasContent) count += 1;
          lineHasContent = false;
        } else if (byte !== CARRIAGE_RETURN && byte !== NEWLINE) {
          lineHasContent = true;
          // A doubled quote inside a field toggles twice, so escaped quotes need no special case.
          if (quoted && byte === QUOTE) inQuotes = !inQuotes;
        }
      }
    }
    return lineHasContent ? count + 1 : count;
  } finally {
    await handle.close();
  }
}
