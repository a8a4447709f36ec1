/**
 * The errors dvc's `dvc.utils.serialize` loaders raise for a metrics or plots file they cannot read, with the
 * type name and message that `--json` output carries (`encode_exception`).
 */
import { extname } from "node:path";

export interface DataFileReadError {
  /** The Python exception's class name. */
  type: string;
  msg: string;
}

/** dvc's names for a corrupted file of each kind; any other extension is read (and refused) as YAML. */
export const CORRUPTED_FILE_KINDS: Readonly<Record<string, readonly [type: string, kind: string]>> = {
  ".json": ["JSONFileCorruptedError", "JSON"],
  ".yaml": ["YAMLFileCorruptedError", "YAML"],
  ".yml": ["YAMLFileCorruptedError", "YAML"],
  ".toml": ["TOMLFileCorruptedError", "TOML"],
  ".py": ["PythonFileCorruptedError", "Python"],
};

/** `path` is the file as dvc names it in the message; `source` picks the loader by its suffix, as dvc's `load_path`. */
export function corruptedFileError(path: string, source = path): DataFileReadError {
  const [type, kind] = CORRUPTED_FILE_KINDS[extname(source).toLowerCase()] ?? [
    "YAMLFileCorruptedError",
    "YAML",
  ];
  return { type, msg: `unable to read: '${path}', ${kind} file structure is corrupted` };
}

/** UTF-8 text as Python's "utf-8" codec reads it (a leading U+FEFF kept); undefined when it is not UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
