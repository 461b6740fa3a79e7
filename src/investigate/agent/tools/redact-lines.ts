import { REDACTED } from "../../../util/redact.js";

const blockStart = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const blockEnd = /-----END [A-Z ]*PRIVATE KEY-----/;

/**
 * A file's lines, redacted one by one so line numbers stay true, with every line of a private key
 * block hidden: a tool showing some lines of a file (blame of a range, a grep hit, a line range)
 * would otherwise show key material that only the whole block is recognized by.
 */
export function redactLines(text: string, redact: (line: string) => string): string[] {
  let inBlock = false;
  return text.split("\n").map((line) => {
    if (blockStart.test(line)) inBlock = true;
    const out = inBlock ? REDACTED : redact(line);
    if (blockEnd.test(line)) inBlock = false;
    return out;
  });
}
