/**
 * Parsers of numeric options for commander's `argParser`. Commander's message already names the option and
 * the value ("option '--jobs <n>' argument 'x' is invalid."), so each adds only what was expected. An empty
 * or blank value is refused: `Number("")` is 0.
 */
import { InvalidArgumentError, Option } from "commander";

function numberOf(value: string): number {
  return value.trim() === "" ? Number.NaN : Number(value);
}

export function positiveInteger(value: string): number {
  const n = numberOf(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer.");
  return n;
}

/** Any integer, negative too (dvc's `type=int`, where the command itself refuses what it cannot use). */
export function integer(value: string): number {
  const n = numberOf(value);
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError("expected an integer.");
  return n;
}

/** dvc's `-L/--level` of ls and ls-url. */
export function levelOption(): Option {
  return new Option(
    "-L, --level <depth>",
    "with -R: how many levels down to go (deeper directories are listed)",
  ).argParser(integer);
}

export function nonNegativeInteger(value: string): number {
  const n = numberOf(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError("expected a non-negative integer.");
  return n;
}

export function portNumber(value: string): number {
  const n = numberOf(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError("expected an integer from 0 to 65535.");
  return n;
}

export function positiveSeconds(value: string): number {
  const n = numberOf(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("expected a positive number of seconds.");
  return n;
}
