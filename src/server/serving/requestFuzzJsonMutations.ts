/**
 * Fuzz mutations of a request's JSON structure (a JSON body, or a binary body's JSON header) before it is
 * written: a member replaced by a weird value, removed, added, wrapped, renamed; a V2 input's shape, datatype or
 * binary_data_size changed. Test-only; nothing in the product imports it.
 */
import {
  invalidBody,
  isJsonLike,
  isRecord,
  weirdPlaceholder,
  type Draft,
  type Mutation,
} from "./requestFuzzDraft.js";
import { EXTRA_KEYS, type FuzzRandom } from "./requestFuzzValues.js";

const V2_DATATYPES = ["BOOL", "UINT8", "INT16", "INT32", "INT64", "FP16", "FP32", "FP64", "BYTES"];
const BAD_DATATYPES = ["fp32", "FLOAT", "", "BF16", "INT128", "STRING"];

type Container = Record<string, unknown> | unknown[];

/** Every (container, key) of a JSON value, the root's own members first. */
function members(value: unknown): { container: Container; key: string | number }[] {
  const found: { container: Container; key: string | number }[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((item, i) => {
        found.push({ container: node, key: i });
        visit(item);
      });
    } else if (isRecord(node)) {
      for (const key of Object.keys(node)) {
        found.push({ container: node, key });
        visit(node[key]);
      }
    }
  };
  visit(value);
  return found;
}

function pick<T>(found: readonly T[], random: FuzzRandom): T | undefined {
  return found.length === 0 ? undefined : random.pick(found);
}

function set(container: Container, key: string | number, value: unknown): void {
  (container as Record<string | number, unknown>)[key] = value;
}

/** Sets an own member even where the name is "__proto__", which assignment would not. */
function define(record: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The V2 inputs of the draft's JSON body or binary header. */
function v2Inputs(draft: Draft): Record<string, unknown>[] {
  const inputs = isRecord(draft.value) ? draft.value.inputs : undefined;
  return Array.isArray(inputs) ? inputs.filter(isRecord) : [];
}

const isV2 = (seed: Parameters<Mutation["applies"]>[0]): boolean =>
  isJsonLike(seed) && seed.path.startsWith("/v2/");

const structure = (
  weight: number,
  apply: Mutation["apply"],
  applies: Mutation["applies"] = isJsonLike,
): Mutation => ({ phase: "structure", touches: "body", weight, applies, apply });

export const JSON_MUTATIONS: Readonly<Record<string, Mutation>> = {
  replace: structure(8, (draft, random) => {
    const member = pick(members(draft.value), random);
    if (member === undefined) return "nothing left to replace";
    const { placeholder, shown } = weirdPlaceholder(random);
    set(member.container, member.key, placeholder);
    return `replace ${String(member.key)} with ${shown}`;
  }),
  remove: structure(3, (draft, random) => {
    const member = pick(members(draft.value), random);
    if (member === undefined) return "nothing left to remove";
    if (Array.isArray(member.container)) member.container.splice(member.key as number, 1);
    else delete member.container[member.key];
    return `remove ${String(member.key)}`;
  }),
  addMember: structure(3, (draft, random) => {
    const containers: Container[] = [draft.value as Container];
    for (const { container, key } of members(draft.value)) {
      const node = (container as Record<string | number, unknown>)[key];
      if (typeof node === "object" && node !== null) containers.push(node as Container);
    }
    const container = random.pick(containers);
    const { placeholder, shown } = weirdPlaceholder(random);
    if (Array.isArray(container)) {
      container.push(placeholder);
      return `append ${shown}`;
    }
    const key = random.pick(EXTRA_KEYS);
    define(container, key, placeholder);
    return `add key ${JSON.stringify(key)}: ${shown}`;
  }),
  wrapOrUnwrap: structure(2, (draft, random) => {
    const member = pick(members(draft.value), random);
    if (member === undefined) return "nothing left to wrap";
    const node = (member.container as Record<string | number, unknown>)[member.key];
    if (Array.isArray(node) && random.chance(0.5)) {
      set(member.container, member.key, node[0]);
      return `unwrap ${String(member.key)}`;
    }
    set(member.container, member.key, [node]);
    return `wrap ${String(member.key)} in a list`;
  }),
  renameKey: structure(2, (draft, random) => {
    const member = pick(
      members(draft.value).filter((m) => !Array.isArray(m.container)),
      random,
    );
    if (member === undefined) return "no key to rename";
    const record = member.container as Record<string, unknown>;
    const to = random.pick(EXTRA_KEYS);
    const value = record[member.key as string];
    delete record[member.key as string];
    define(record, to, value);
    return `rename ${String(member.key)} to ${JSON.stringify(to)}`;
  }),
  shapeMismatch: structure(
    2,
    (draft, random) => {
      const input = pick(v2Inputs(draft), random);
      if (input === undefined || !Array.isArray(input.shape)) return "no V2 input shape to change";
      const shape = input.shape as number[];
      input.shape = [(shape[0] ?? 0) + 1 + random.int(3), ...shape.slice(1)];
      invalidBody(draft, "a V2 shape that does not match its data", 400);
      return `shape of ${String(input.name)} to ${JSON.stringify(input.shape)}`;
    },
    isV2,
  ),
  hugeShape: structure(
    1,
    (draft, random) => {
      const input = pick(v2Inputs(draft), random);
      if (input === undefined) return "no V2 input to reshape";
      // A dim beyond 2^53 beside a 0 holds no elements: only the dim itself can be refused.
      input.shape = random.pick([
        [0, 1e308],
        [2 ** 53, 0],
        [0, 2 ** 64],
      ]);
      if (isRecord(input.parameters)) input.parameters.binary_data_size = 0;
      else input.data = [];
      invalidBody(draft, "a V2 shape dim beyond the safe integers", 400);
      return `shape of ${String(input.name)} to ${JSON.stringify(input.shape)}, no data`;
    },
    isV2,
  ),
  datatype: structure(
    2,
    (draft, random) => {
      const input = pick(v2Inputs(draft), random);
      if (input === undefined) return "no V2 input to retype";
      const bad = random.chance(0.3);
      input.datatype = random.pick(bad ? BAD_DATATYPES : V2_DATATYPES);
      if (bad) invalidBody(draft, "a V2 datatype that is not one of the spec's", 400);
      return `datatype of ${String(input.name)} to ${String(input.datatype)}`;
    },
    isV2,
  ),
  binaryDataSize: structure(
    3,
    (draft, random) => {
      const input = v2Inputs(draft).find((i) => isRecord(i.parameters));
      if (input === undefined) return "no binary input left";
      const parameters = input.parameters as { binary_data_size: unknown };
      const size = Number(parameters.binary_data_size);
      const sizes = [-1, 1.5, String(size), null, true, size - 1, size + 1, 0, 2 ** 53, 1e300];
      parameters.binary_data_size = random.pick<unknown>(sizes);
      invalidBody(draft, "binary_data_size that does not match the bytes sent", 400);
      return `binary_data_size of ${String(input.name)} to ${JSON.stringify(parameters.binary_data_size)}`;
    },
    (seed) => seed.kind === "binary",
  ),
};
