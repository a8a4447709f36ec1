/**
 * MLflow's `LongString` scalar (mlflow/server/graphql/graphql_custom_scalars.py): int64 fields go out as
 * decimal strings, because a JavaScript client would round a step such as 2**62 read as a JSON number.
 */
import { GraphQLScalarType, Kind, type ValueNode } from "graphql";

/** Python's `int(text)`: optional sign and surrounding whitespace, digits that `_` may group. */
const PYTHON_INT_LITERAL = /^\s*[+-]?\d+(?:_\d+)*\s*$/;

export const LongString = new GraphQLScalarType({
  name: "LongString",
  // graphene reads a Scalar's docstring, not its `description` attribute, so this is the text MLflow serves.
  description: "LongString Scalar type to prevent truncation to max integer in JavaScript.",
  serialize: (value) => int64Text(value),
  // A literal that is not an integer reads as null, as MLflow's parse_literal returns None for it.
  parseLiteral: (node: ValueNode) => (node.kind === Kind.INT ? wholeNumber(node.value) : null),
  parseValue: (value) => pythonInt(value),
});

function int64Text(value: unknown): string {
  if (typeof value === "bigint") return value.toString();
  // Beyond 2**53 JavaScript prints a rounded decimal; every double that large is an integer, printed in full.
  if (typeof value === "number" && Number.isInteger(value)) return BigInt(value).toString();
  return String(value);
}

function wholeNumber(text: string): number | bigint {
  const value = Number(text);
  return Number.isSafeInteger(value) ? value : BigInt(text);
}

/** MLflow's parse_value is `int(value)`; the messages are Python's, as graphene puts them in the error. */
function pythonInt(value: unknown): number | bigint {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) {
      throw new Error(
        Number.isNaN(value)
          ? "cannot convert float NaN to integer"
          : "cannot convert float infinity to integer",
      );
    }
    return Math.trunc(value);
  }
  if (typeof value === "string") {
    if (!PYTHON_INT_LITERAL.test(value)) {
      throw new Error(`invalid literal for int() with base 10: ${pythonRepr(value)}`);
    }
    return wholeNumber(value.replace(/[\s_]/g, ""));
  }
  const typeName = Array.isArray(value) ? "list" : value === null ? "NoneType" : "dict";
  throw new Error(`int() argument must be a string, a bytes-like object or a real number, not '${typeName}'`);
}

/** Python's repr of a str, close enough for an error message: single quotes unless the text holds one. */
function pythonRepr(text: string): string {
  return text.includes("'") && !text.includes('"') ? `"${text}"` : `'${text.replace(/'/g, "\\'")}'`;
}
