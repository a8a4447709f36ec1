/**
 * The workspace and the damages of the DVC-files fuzz test (dvcFilesFuzz.test.ts): a small valid repository
 * text (a `.dvc` file for a file and one for a directory, a dvc.yaml with vars, foreach, params and metrics,
 * params.yaml, .dvcignore, .dvc/config), and a seeded way to damage one of its files. Test-only.
 */
import type { SeededRandom } from "../seededRandom.js";

export const DVC_YAML = `vars:
  - suffix: out
stages:
  prepare:
    cmd: cat data.txt > prepared.txt
    deps: [data.txt]
    outs: [prepared.txt]
  train:
    foreach: \${models}
    do:
      cmd: "echo \${item} \${lr} > model-\${item}.txt && printf '{\\"acc\\": 0.5}' > metrics-\${item}.json"
      deps:
        - prepared.txt
      params: [lr, train.epochs]
      outs:
        - model-\${item}.txt
      metrics:
        - metrics-\${item}.json:
            cache: false
`;

export const PARAMS_YAML = "lr: 0.1\ntrain:\n  epochs: 3\nmodels: [small, big]\n";
export const DVCIGNORE = "*.tmp\n";
export const DVC_CONFIG = "[core]\n    autostage = false\n";

/**
 * The files a case may damage, and the names of which its error must mention one. A params.yaml that lost a
 * value dvc.yaml interpolates fails in dvc.yaml, where the missing name is used (as in dvc).
 */
export const DAMAGEABLE = [
  { file: "data.txt.dvc", named: ["data.txt.dvc"] },
  { file: "images.dvc", named: ["images.dvc"] },
  { file: "dvc.yaml", named: ["dvc.yaml"] },
  { file: "dvc.lock", named: ["dvc.lock"] },
  { file: "params.yaml", named: ["params.yaml", "dvc.yaml"] },
  { file: ".dvcignore", named: [".dvcignore"] },
  { file: ".dvc/config", named: [".dvc/config"] },
] as const;

export type DamageableFile = (typeof DAMAGEABLE)[number]["file"];

export interface Damage {
  readonly file: DamageableFile;
  readonly kind: string;
  readonly bytes: Buffer;
  /** Whether the error, when there is one, must give a line (a YAML syntax error). */
  readonly lineExpected: boolean;
}

/** Nine anchors of nine aliases each: 9^9 strings if expanded ("billion laughs"). */
function aliasBomb(indent: string): string {
  const lines = [`${indent}l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]`];
  for (let i = 1; i <= 8; i++) {
    lines.push(`${indent}l${i}: &l${i} [${Array.from({ length: 9 }, () => `*l${i - 1}`).join(", ")}]`);
  }
  return `${lines.join("\n")}\n`;
}

/** Replaces the first `from` in `text`; the damage falls back to truncation when the text lacks it. */
function replaced(text: string, from: RegExp, to: string): string | undefined {
  return from.test(text) ? text.replace(from, to) : undefined;
}

type Structural = (text: string, file: DamageableFile) => string | undefined;

/** Damages that keep the text valid YAML but put wrong types or values under keys dvc knows. */
const STRUCTURAL: Record<string, Structural> = {
  "outs as a string": (t) =>
    replaced(t, /outs: \[prepared\.txt\]/, "outs: prepared.txt") ??
    replaced(t, /outs:\n- [^]*?(?=\n\S|$)/, "outs: data.txt"),
  "md5 as a number": (t) => replaced(t, /md5: [0-9a-f]{32}/, "md5: 12345"),
  "size negative": (t) => replaced(t, /size: \d+/, "size: -6"),
  "hash of wrong length": (t) => replaced(t, /md5: ([0-9a-f]{32})/, "md5: $1ab"),
  "nested list for a map": (t) => replaced(t, /\n- md5:/, "\n- - md5:"),
  "duplicate key": (t) => replaced(t, /\n( +)(size: \d+)/, "\n$1$2\n$1$2"),
  "tab indentation": (t) => replaced(t, /\n {2,4}(\S)/, "\n\t$1"),
  "huge number": (t) => replaced(t, /(size|lr|epochs): [\d.]+/, `$1: 1${"0".repeat(400)}`),
  "alias bomb": (_t, file) =>
    file === "dvc.yaml" ? `vars:\n  - bomb:\n${aliasBomb("      ")}stages: {}\n` : aliasBomb(""),
  "missing param": (t) => replaced(t, /train\.epochs/, "train.nope"),
  "missing variable": (t) => replaced(t, /model-\$\{item\}\.txt &&/, "model-${nope}.txt &&"),
  "foreach a number": (t) => replaced(t, /foreach: \$\{models\}/, "foreach: 3"),
  "stages a list": (t) => replaced(t, /stages:\n/, "stages:\n  - prepare\n"),
  "config bad section": (t) => replaced(t, /\[core\]/, "[core"),
  "config unknown option": (t) => replaced(t, /autostage = false/, "autostage = maybe"),
};

/** A damage of `file`'s `original` text, chosen by `rng`. */
export function damage(rng: SeededRandom, file: DamageableFile, original: Buffer): Damage {
  const text = original.toString("utf8");
  const kinds = ["truncation", "byte flipped", "invalid UTF-8", "empty file", ...Object.keys(STRUCTURAL)];
  const kind = rng.pick(kinds);
  const structural = STRUCTURAL[kind];
  if (structural !== undefined) {
    const damaged = structural(text, file);
    if (damaged !== undefined && damaged !== text) {
      return {
        file,
        kind,
        bytes: Buffer.from(damaged),
        lineExpected: kind === "duplicate key" || kind === "tab indentation",
      };
    }
  }
  switch (kind) {
    case "empty file":
      return { file, kind, bytes: Buffer.alloc(0), lineExpected: false };
    case "byte flipped": {
      const bytes = Buffer.from(original);
      const at = rng.int(Math.max(1, bytes.length));
      bytes[at] = (bytes[at] ?? 0) ^ (1 << rng.int(8));
      return { file, kind, bytes, lineExpected: false };
    }
    case "invalid UTF-8": {
      const at = rng.int(original.length + 1);
      const bytes = Buffer.concat([original.subarray(0, at), Buffer.from([0xff]), original.subarray(at)]);
      return { file, kind, bytes, lineExpected: true };
    }
    default: {
      const at = rng.int(Math.max(1, original.length));
      return { file, kind: "truncation", bytes: original.subarray(0, at), lineExpected: false };
    }
  }
}
