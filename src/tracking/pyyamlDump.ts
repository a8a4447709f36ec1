/**
 * `yaml.safe_dump(mapping, default_flow_style=False)` as PyYAML writes it, for the YAML files MLflow's server
 * writes itself (a prompt-engineering run's MLmodel and parameters.yaml). The `yaml` package picks other
 * quoting styles and folds lines elsewhere, and these files hold user text (prompt templates), so the choice
 * of style, the escapes and the folding at 80 columns follow PyYAML's emitter (yaml/emitter.py) step by step.
 * Only what those files need: mappings (keys sorted) of strings, booleans, null and nested mappings.
 */

import { analyzeScalar, BEST_WIDTH, BREAKS, type Analysis } from "../pipelines/ruamelScalarAnalysis.js";
import { YamlScalarEmitter } from "../pipelines/yamlScalarEmitter.js";

export type PyyamlValue = string | boolean | null | PyyamlMapping;
export interface PyyamlMapping {
  readonly [key: string]: PyyamlValue;
}

const BEST_INDENT = 2;

/** PyYAML's implicit resolvers: a plain scalar matching one would read back as something other than a str. */
const IMPLICIT_RESOLVERS: readonly RegExp[] = [
  /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
  /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
  /^(?:<<)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:=)$/,
  /^(?:!|&|\*)$/,
];

export function pyyamlDump(mapping: PyyamlMapping): string {
  const emitter = new Emitter();
  emitter.mapping(mapping, 0);
  return emitter.out.endsWith("\n") ? emitter.out : `${emitter.out}\n`;
}

/** Python's `re.match(...$)`: `$` also matches before one final newline. */
function resolvesToNonString(text: string): boolean {
  const candidate = text.endsWith("\n") ? text.slice(0, -1) : text;
  return IMPLICIT_RESOLVERS.some((pattern) => pattern.test(candidate));
}

/** Code points, as Python iterates a str. */
function codePoints(text: string): string[] {
  return Array.from(text);
}

function byCodePoint(a: string, b: string): number {
  const x = codePoints(a);
  const y = codePoints(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** `Emitter.analyze_scalar` with allow_unicode off, as safe_dump's default. */
function analyze(chars: readonly string[]): Analysis {
  return analyzeScalar(chars.join(""), { allowUnicode: false });
}

class Emitter extends YamlScalarEmitter {
  constructor() {
    super(false);
  }

  mapping(mapping: PyyamlMapping, indent: number): void {
    const keys = Object.keys(mapping).sort(byCodePoint);
    for (const key of keys) {
      this.indent = indent;
      this.writeIndent();
      const chars = codePoints(key);
      const analysis = analyze(chars);
      const simple = chars.length < 128 && !analysis.empty && !analysis.multiline;
      if (simple) {
        this.scalar(key, chars, analysis, true);
        this.writeIndicator(":", false);
      } else {
        this.writeIndicator("?", true, false, true);
        this.indent = indent + BEST_INDENT;
        this.scalar(key, chars, analysis, false);
        this.indent = indent;
        this.writeIndent();
        this.writeIndicator(":", true, false, true);
      }
      const value = mapping[key]!;
      if (value !== null && typeof value === "object" && Object.keys(value).length === 0) {
        this.writeIndicator("{", true, true);
        this.writeIndicator("}", false);
      } else if (value !== null && typeof value === "object") {
        this.mapping(value, indent + BEST_INDENT);
      } else {
        this.indent = indent + BEST_INDENT;
        if (value === null) this.writePlain(["n", "u", "l", "l"]);
        else if (typeof value === "boolean") this.writePlain(codePoints(String(value)));
        else this.scalar(value, codePoints(value), analyze(codePoints(value)), false);
      }
    }
  }

  /** `choose_scalar_style`, then the writer it picks; a simple key is never folded. */
  private scalar(text: string, chars: string[], analysis: Analysis, simpleKey: boolean): void {
    const implicit = !resolvesToNonString(text);
    const plainFits = !(simpleKey && (analysis.empty || analysis.multiline)) && analysis.allowBlockPlain;
    const split = !simpleKey;
    if (implicit && plainFits) this.writePlain(chars, split);
    else if (analysis.allowSingleQuoted && !(simpleKey && analysis.multiline))
      this.writeSingleQuoted(chars, split);
    else this.writeDoubleQuoted(chars, split);
  }

  private writePlain(chars: readonly string[], split = true): void {
    if (chars.length === 0) return;
    if (!this.whitespace) this.write(" ");
    this.whitespace = false;
    this.indention = false;
    let spaces = false;
    let start = 0;
    for (let end = 0; end <= chars.length; end++) {
      const ch = chars[end];
      if (spaces) {
        if (ch !== " ") {
          if (start + 1 === end && this.column > BEST_WIDTH && split) {
            this.writeIndent();
            this.whitespace = false;
            this.indention = false;
          } else {
            this.write(chars.slice(start, end).join(""));
          }
          start = end;
        }
      } else if (ch === undefined || ` ${BREAKS}`.includes(ch)) {
        this.write(chars.slice(start, end).join(""));
        start = end;
      }
      if (ch !== undefined) spaces = ch === " ";
    }
  }
}
