/**
 * Gate policy files (`gates.yaml`): parsed from YAML and checked field by field, every error naming the
 * file and the line. The policy keeps its exact text's sha256, so a gate record says which rules it met.
 *
 *   name: production-gate
 *   champion: production        # alias of the version to beat; default "production"
 *   conditions:
 *     - accuracy >= 0.9
 *     - expectations: all pass
 *     - f1_macro >= champion.f1_macro - 0.01
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Node } from "yaml";
import { yamlLibrary } from "../../yamlLibrary.js";
import { invalidParameter } from "../../errors.js";
import {
  ConditionSyntaxError,
  EXPECTATIONS_ALL_PASS,
  parseCondition,
  type GateCondition,
} from "./gateConditions.js";

export const DEFAULT_CHAMPION_ALIAS = "production";

export interface PolicyCondition {
  condition: GateCondition;
  /** 1-based line of the condition in the policy file. */
  line: number;
}

export interface GatePolicy {
  name: string;
  /** Alias whose version's run supplies `champion.<metric>`. */
  champion: string;
  description?: string;
  conditions: PolicyCondition[];
  /** sha256 (hex) of the policy text as given. */
  digest: string;
  /** Where the policy came from, for messages and reports. */
  file: string;
}

const KNOWN_KEYS = ["name", "champion", "description", "conditions"] as const;

export async function loadGatePolicy(path: string): Promise<GatePolicy> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw invalidParameter(`Cannot read gate policy ${path}: ${(error as Error).message}`);
  }
  return parseGatePolicy(text, path);
}

export function parseGatePolicy(text: string, file: string): GatePolicy {
  const { LineCounter, isMap, isScalar, isSeq, parseDocument } = yamlLibrary();
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    const at = lines.linePos(syntax.pos[0]);
    const where = `${file} line ${at.line}, column ${at.col}`;
    throw invalidParameter(`${where}: invalid YAML: ${firstLine(syntax.message)}`);
  }
  const lineOf = (node: Node | null | undefined): number =>
    node?.range === undefined || node.range === null ? 1 : lines.linePos(node.range[0]).line;
  const fail = (node: Node | null | undefined, message: string): never => {
    throw invalidParameter(`${file} line ${lineOf(node)}: ${message}`);
  };

  const root = doc.contents;
  if (!isMap(root)) return fail(root, "expected a mapping with keys name and conditions");
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (!(KNOWN_KEYS as readonly string[]).includes(key)) {
      fail(pair.key as Node, `unknown key '${key}'; expected one of ${KNOWN_KEYS.join(", ")}`);
    }
  }
  const field = (key: string): Node | undefined => root.get(key, true) as Node | undefined;
  const keyNode = (key: string): Node | undefined =>
    root.items.find((p) => isScalar(p.key) && p.key.value === key)?.key as Node | undefined;

  const name = requiredString(field("name"), "name", keyNode("name") ?? root, fail);
  const champion =
    field("champion") === undefined
      ? DEFAULT_CHAMPION_ALIAS
      : requiredString(field("champion"), "champion", keyNode("champion") ?? root, fail);
  const description =
    field("description") === undefined
      ? undefined
      : requiredString(field("description"), "description", keyNode("description") ?? root, fail);

  const list = field("conditions");
  if (list === undefined) return fail(root, "missing key 'conditions' (a list of conditions)");
  if (!isSeq(list) || list.items.length === 0) {
    return fail(list, "'conditions' must be a non-empty list");
  }
  const conditions = list.items.map((item) => {
    const node = item as Node;
    return { condition: conditionOf(node, fail), line: lineOf(node) };
  });

  return {
    name,
    champion,
    ...(description === undefined ? {} : { description }),
    conditions,
    digest: createHash("sha256").update(text, "utf8").digest("hex"),
    file,
  };
}

type Fail = (node: Node | null | undefined, message: string) => never;

function conditionOf(node: Node, fail: Fail): GateCondition {
  const { isMap, isScalar } = yamlLibrary();
  let text: string;
  if (isScalar(node) && typeof node.value === "string") {
    text = node.value;
  } else if (isMap(node) && node.items.length === 1 && isScalar(node.items[0]?.key)) {
    // `- expectations: all pass` is YAML for a one-key mapping, not a string.
    const pair = node.items[0];
    const value = isScalar(pair?.value) ? String(pair.value.value) : "";
    text = `${String((pair?.key as { value: unknown }).value)}: ${value}`;
  } else {
    return fail(node, `a condition must be a string such as 'accuracy >= 0.9' or '${EXPECTATIONS_ALL_PASS}'`);
  }
  try {
    return parseCondition(text);
  } catch (error) {
    if (error instanceof ConditionSyntaxError) return fail(node, error.message);
    throw error;
  }
}

function requiredString(node: Node | undefined, key: string, at: Node, fail: Fail): string {
  const { isScalar } = yamlLibrary();
  if (node === undefined) return fail(at, `missing key '${key}' (a non-empty string)`);
  if (!isScalar(node) || typeof node.value !== "string" || node.value.trim() === "") {
    return fail(node ?? at, `'${key}' must be a non-empty string`);
  }
  return node.value.trim();
}

function firstLine(message: string): string {
  return message.split("\n")[0] ?? message;
}
