/**
 * Fuzz mutations of a request body's bytes once written: cut, text inserted, a slice repeated, a number literal
 * swapped, a JSON key repeated, invalid UTF-8 inserted, and the CSV edits pandas' reader meets (ragged rows,
 * BOM, quotes, blank lines). Test-only; nothing in the product imports it.
 */
import { bodyOf, hasBody, invalidBody, parsesAsJson, type Draft, type Mutation } from "./requestFuzzDraft.js";
import { BAD_UTF8, INSERTS, NUMBER_LITERALS, WEIRD_JSON, type FuzzRandom } from "./requestFuzzValues.js";

const bytes = (
  weight: number,
  apply: Mutation["apply"],
  applies: Mutation["applies"] = hasBody,
): Mutation => ({ phase: "bytes", touches: "body", weight, applies, apply });

const isText = (seed: Parameters<Mutation["applies"]>[0]): boolean =>
  seed.kind === "json" || seed.kind === "csv";

function setText(draft: Draft, text: string): void {
  draft.request.body = Buffer.from(text, "utf8");
  draft.plainJson = false;
}

export const BYTE_MUTATIONS: Readonly<Record<string, Mutation>> = {
  truncate: bytes(4, (draft, random) => {
    const body = bodyOf(draft);
    const at = random.int(body.length);
    draft.request.body = body.subarray(0, at);
    if (draft.seed.kind === "binary") invalidBody(draft, "a binary body cut short", 400);
    else if (draft.seed.kind === "json" && draft.plainJson && !parsesAsJson(draft.request.body)) {
      invalidBody(draft, "truncated JSON", 400);
    }
    draft.plainJson = false;
    return `truncate to ${at} bytes`;
  }),
  insertText: bytes(4, (draft, random) => {
    const body = bodyOf(draft);
    const at = random.int(body.length + 1);
    const text = random.pick(INSERTS);
    draft.request.body = Buffer.concat([body.subarray(0, at), Buffer.from(text, "utf8"), body.subarray(at)]);
    draft.plainJson = false;
    return `insert ${JSON.stringify(text)} at ${at}`;
  }),
  duplicateSlice: bytes(2, (draft, random) => {
    const body = bodyOf(draft);
    const from = random.int(body.length);
    const to = Math.min(body.length, from + 1 + random.int(40));
    draft.request.body = Buffer.concat([body.subarray(0, to), body.subarray(from)]);
    draft.plainJson = false;
    return `repeat bytes ${from}..${to}`;
  }),
  number: bytes(
    3,
    (draft, random) => {
      const text = bodyOf(draft).toString("utf8");
      const numbers = [...text.matchAll(/-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g)];
      if (numbers.length === 0) return "no number to replace";
      const match = random.pick(numbers);
      const literal = random.pick(NUMBER_LITERALS);
      setText(draft, text.slice(0, match.index) + literal + text.slice(match.index + match[0].length));
      return `number ${match[0]} at ${match.index} to ${literal}`;
    },
    isText,
  ),
  duplicateKey: bytes(
    2,
    (draft, random) => {
      const text = bodyOf(draft).toString("utf8");
      const keys = [...text.matchAll(/"([^"\\]*)":/g)];
      if (keys.length === 0) return "no key to repeat";
      const match = random.pick(keys);
      const value = random.pick(WEIRD_JSON.filter((weird) => weird.length < 100));
      const member = `"${match[1]}":${value}`;
      // Before the first of the name, or as the last member of the body's object (json.loads keeps the last).
      if (random.chance(0.5))
        setText(draft, `${text.slice(0, match.index)}${member},${text.slice(match.index)}`);
      else {
        const close = text.lastIndexOf("}");
        setText(draft, `${text.slice(0, close)},${member}${text.slice(close)}`);
      }
      return `duplicate key ${match[1]} as ${value.slice(0, 30)}`;
    },
    (seed) => seed.kind === "json",
  ),
  badUtf8: bytes(
    2,
    (draft, random) => {
      const body = bodyOf(draft);
      const at = random.int(body.length + 1);
      const bad = random.pick(BAD_UTF8);
      draft.request.body = Buffer.concat([body.subarray(0, at), bad, body.subarray(at)]);
      draft.plainJson = false;
      invalidBody(draft, "a body that is not valid UTF-8", 400);
      return `insert bytes ${bad.toString("hex")} at ${at}`;
    },
    isText,
  ),
  csvShape: bytes(
    6,
    (draft, random) => csvEdit(draft, random),
    (seed) => seed.kind === "csv",
  ),
};

function csvEdit(draft: Draft, random: FuzzRandom): string {
  const lines = bodyOf(draft).toString("utf8").split("\n");
  const row = 1 + random.int(Math.max(1, lines.length - 2));
  const fields = (line: string | undefined): string[] => (line ?? "").split(",");
  const edits: [string, (l: string[]) => void][] = [
    ["ragged row", (l) => (l[row] = [...fields(l[0]).map(() => "9"), "9"].join(","))],
    ["short row", (l) => (l[row] = fields(l[row])[0] ?? "")],
    ["BOM", (l) => (l[0] = `\ufeff${l[0] ?? ""}`)],
    ["blank lines", (l) => l.splice(row, 0, "", "\r", "")],
    ["unclosed quote", (l) => (l[row] = `"${l[row] ?? ""}`)],
    ["quoted line break", (l) => (l[row] = `"x\ny",${l[row] ?? ""}`)],
    ["quote inside a cell", (l) => (l[row] = `a"b,${l[row] ?? ""}`)],
    ["header only", (l) => l.splice(1)],
    ["no header", (l) => l.shift()],
    ["repeated header name", (l) => (l[0] = `${l[0] ?? ""},${fields(l[0])[0] ?? ""}`)],
    ["lone CR line ends", (l) => l.splice(0, l.length, l.join("\r"))],
    ["wide row", (l) => (l[row] = Array.from({ length: 5000 }, () => "1").join(","))],
    [
      "NA cells",
      (l) => (l[row] = (l[row] ?? "").replace(/[^,]+/g, () => random.pick(["NA", "nan", "inf", "", "True"]))),
    ],
  ];
  const [name, edit] = random.pick(edits);
  edit(lines);
  setText(draft, lines.join("\n"));
  if (name === "ragged row") invalidBody(draft, "a CSV row with more fields than the header", 400);
  if (name === "unclosed quote") invalidBody(draft, "a CSV quote never closed", 400);
  return `csv: ${name} (row ${row})`;
}
