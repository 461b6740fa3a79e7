import { closeSync, openSync, readSync, statSync } from "node:fs";

/** The last `maxBytes` of a file, starting at a line boundary. */
export function readTail(file: string, maxBytes: number, fromLineStart = true): string {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    return "";
  }
  const start = Math.max(0, size - maxBytes);
  const buf = Buffer.alloc(size - start);
  const fd = openSync(file, "r");
  try {
    readSync(fd, buf, 0, buf.length, start);
  } finally {
    closeSync(fd);
  }
  const text = buf.toString("utf8");
  return start > 0 && fromLineStart ? text.slice(text.indexOf("\n") + 1) : text;
}
