/**
 * dvc writes its YAML files with ruamel at width 80: a plain `key: value` that would run past column 80 is
 * wrapped (a long word such as a path or URL gets a line of its own under the key, a long command breaks at
 * spaces). The `yaml` library writes the same documents on one line per value, so its text is wrapped here,
 * line by line, for dvc's bytes: otherwise a `.dvc` file or dvc.yaml stage with a long value would differ
 * from dvc's and churn in Git whenever the other tool rewrote it.
 */
import { wrapPlainValue } from "../pipelines/ruamelYaml.js";

const BEST_WIDTH = 80;
/** `  key: value`, `- key: value`: the key's column, the key, the value. Keys with quotes or spaces are left. */
const KEY_VALUE = /^((?: *- )* *)([^\s'"#:?&*!|>%@`{}[\],-][^\s:#]*): (.+)$/;
/** Values the `yaml` library wrote in plain style and ruamel would write plain too. */
const PLAIN_START = /^[^'"{[|>&*!%@`#]/;

/** Whether the line opens a block scalar (`key: |`, `- >-`), whose body lines are text, not YAML. */
function opensBlockScalar(line: string): boolean {
  return /(?:^\s*-|:)\s+[|>][-+0-9]*\s*$/.test(line);
}

function indentOf(line: string): number {
  return line.length - line.trimStart().length;
}

export function wrapLongPlainLines(text: string): string {
  const lines = text.split("\n");
  let blockIndent: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (blockIndent !== undefined) {
      if (line.trim() === "" || indentOf(line) > blockIndent) continue;
      blockIndent = undefined;
    }
    if (opensBlockScalar(line)) {
      blockIndent = indentOf(line);
      continue;
    }
    if ([...line].length <= BEST_WIDTH) continue;
    const match = KEY_VALUE.exec(line);
    const value = match?.[3];
    if (match === null || value === undefined || !PLAIN_START.test(value)) continue;
    if (value.includes(" #") || value.includes(": ") || value !== value.trim()) continue;
    const keyColumn = match[1]!.length;
    lines[i] = wrapPlainValue(`${match[1]}${match[2]}:`, value, keyColumn);
  }
  return lines.join("\n");
}
