/**
 * ruamel.yaml's YAML 1.2 implicit resolvers (ruamel/yaml/resolver.py), the rules by which DVC decides what a
 * plain scalar is. The reader (pythonValues.ts) types params, dvc.yaml and dvc.lock values by them, and the
 * writer (ruamelYaml.ts) quotes any string they would read back as another type, so both sides agree with
 * DVC on the same text. They differ from the YAML 1.2 core schema: `1_000` is an int, `-0x1F` and `0b10` are
 * ints, `.5e3` stays a string. This module holds the patterns only; constructing values is the reader's job.
 */

/** `tag:yaml.org,2002:float`: underscores anywhere in the digits, `1.` and `1e3` are floats. */
export const RUAMEL_FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

/**
 * `tag:yaml.org,2002:int`: signed binary, octal, decimal and hex, underscores anywhere after the first char.
 * ruamel only tries this pattern on scalars starting with a sign or digit, hence the lookahead: `_1` is a string.
 */
export const RUAMEL_INT = /^(?=[-+0-9])(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)$/;

// Every other pattern already implies the first characters ruamel tries it on.
const IMPLICIT: RegExp[] = [
  /^(?:true|True|TRUE|false|False|FALSE)$/,
  RUAMEL_FLOAT,
  RUAMEL_INT,
  /^(?:<<)$/,
  /^(?:~|null|Null|NULL|)$/,
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/,
  /^(?:=)$/,
];

/** Whether ruamel reads `text`, written as a plain scalar, back as a string. */
export function resolvesAsString(text: string): boolean {
  return !IMPLICIT.some((re) => re.test(text));
}
