/**
 * Turns a valid seed request into a mutated one for the request fuzz test: one mutation, sometimes two, from
 * the JSON, byte and HTTP tables, applied in that order (structure before the body is written, bytes after,
 * HTTP last), and the request's verdict: invalid when its route is refused, or when its body edit made it
 * invalid. Test-only; nothing in the product imports it.
 */
import { BYTE_MUTATIONS } from "./requestFuzzByteMutations.js";
import { newDraft, serialize, type FuzzRequest, type Mutation, type Phase } from "./requestFuzzDraft.js";
import { HTTP_MUTATIONS } from "./requestFuzzHttpMutations.js";
import { JSON_MUTATIONS } from "./requestFuzzJsonMutations.js";
import type { FuzzSeed } from "./requestFuzzSeeds.js";
import type { FuzzRandom } from "./requestFuzzValues.js";

export { FUZZ_BODY_LIMIT, type FuzzRequest } from "./requestFuzzDraft.js";

const MUTATIONS: readonly Mutation[] = [
  ...Object.values(JSON_MUTATIONS),
  ...Object.values(BYTE_MUTATIONS),
  ...Object.values(HTTP_MUTATIONS),
];
const PHASES: readonly Phase[] = ["structure", "bytes", "http"];

/** The request a seed makes as it stands (valid, answered 200). */
export function seedRequest(seed: FuzzSeed): FuzzRequest {
  const draft = newDraft(seed);
  serialize(draft);
  return draft.request;
}

function pickMutation(candidates: readonly Mutation[], random: FuzzRandom): Mutation {
  const total = candidates.reduce((sum, mutation) => sum + mutation.weight, 0);
  let at = (random.int(1_000_000) / 1_000_000) * total;
  for (const mutation of candidates) {
    at -= mutation.weight;
    if (at < 0) return mutation;
  }
  return candidates[candidates.length - 1] as Mutation;
}

export function mutatedRequest(seed: FuzzSeed, random: FuzzRandom): FuzzRequest {
  const candidates = MUTATIONS.filter((mutation) => mutation.applies(seed));
  const first = pickMutation(candidates, random);
  const chosen = [first];
  // A second edit of the same thing (two paths, a method then a path) could undo the first one's verdict.
  const others = candidates.filter(
    (m) => m !== first && (m.touches !== "route" || first.touches !== "route"),
  );
  if (random.chance(0.3)) chosen.push(pickMutation(others, random));
  const ordered = PHASES.flatMap((phase) => chosen.filter((mutation) => mutation.phase === phase));
  const draft = newDraft(seed);
  let serialized = false;
  let lastBodyEdit: Mutation | undefined;
  for (const mutation of ordered) {
    if (mutation.phase !== "structure" && !serialized) {
      serialize(draft);
      serialized = true;
    }
    if (mutation.touches === "body") {
      draft.bodyEdits++;
      draft.bodyFault = undefined;
      lastBodyEdit = mutation;
    }
    draft.request.steps.push(mutation.apply(draft, random));
  }
  if (!serialized) serialize(draft);
  // Each edit judges the body as the seed made it; after two, only an edit that fails whatever came before holds.
  if (draft.bodyEdits > 1 && lastBodyEdit?.decisive !== true) draft.bodyFault = undefined;
  const fault = draft.routeFault ?? draft.bodyFault;
  if (fault !== undefined) draft.request.mustFail = fault;
  return draft.request;
}
