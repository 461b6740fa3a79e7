import { readFileSync } from "node:fs";
import { InvalidArgumentError } from "commander";
import { UserError } from "../util/errors.js";

/** Option parsers (commander reports a rejected value as a usage error, exit 2) and input files. */

export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("must be a non-negative integer");
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError("must be a positive number");
  return n;
}

export function portNumber(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("must be a port, 0..65535");
  return n;
}

/** For repeatable options: each occurrence adds to the list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/** A file the user named, e.g. `readUserFile(opts.patch, "patch")`; an unreadable one is a user error. */
export function readUserFile(file: string, what: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    throw new UserError(`${file}: cannot read the ${what} file`);
  }
}
