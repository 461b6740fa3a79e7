import type { ExceptionInfo, StackFrame } from "./exception.js";

/**
 * Python tracebacks:
 *
 *   Traceback (most recent call last):
 *     File "/app/catalog.py", line 88, in lookup
 *       return SHAPES[shape](item)
 *   KeyError: 'bundle'
 *
 *   During handling of the above exception, another exception occurred:
 *
 *   Traceback (most recent call last):
 *     ...
 *   ValueError: unsupported catalog shape for item_id=item-142-3
 *
 * In a chain the last traceback is the exception that propagated (the primary); each earlier one
 * becomes its `cause`. Exception groups (`+ Exception Group Traceback`) are not parsed.
 */

export const PYTHON_TRACEBACK_HEADER = "Traceback (most recent call last):";

const CHAIN_MARKERS = new Set([
  "During handling of the above exception, another exception occurred:",
  "The above exception was the direct cause of the following exception:",
]);
const FILE_LINE = /^\s*File "(.+)", line (\d+)(?:, in (.+?))?\s*$/;
const EXCEPTION_LINE = /^([A-Za-z_][\w.]*)(?::\s?(.*))?$/;
/** Python 3.11+ underlines the failing expression with `^` and `~`. */
const MARKER_LINE = /^\s*[\^~]+\s*$/;
const REPEATED_LINE = /^\s*\[Previous line repeated \d+ more times?\]\s*$/;

export function parsePythonTraceback(lines: readonly string[]): ExceptionInfo | undefined {
  let header = lines.findIndex(isHeader);
  let chain: ExceptionInfo | undefined;
  while (header >= 0) {
    const block = parseBlock(lines, header + 1);
    if (block === undefined) break;
    chain = chain === undefined ? block.exception : { ...block.exception, cause: chain };
    header = chainedHeader(lines, block.next);
  }
  return chain;
}

/** After one traceback: the index of the next chained traceback's header, or -1. */
function chainedHeader(lines: readonly string[], from: number): number {
  let i = skipBlank(lines, from);
  if (!CHAIN_MARKERS.has(lines[i]?.trim() ?? "")) return -1;
  i = skipBlank(lines, i + 1);
  const line = lines[i];
  return line !== undefined && isHeader(line) ? i : -1;
}

function parseBlock(
  lines: readonly string[],
  from: number,
): { exception: ExceptionInfo; next: number } | undefined {
  const printed: StackFrame[] = [];
  let i = from;
  for (let line = lines[i]; line !== undefined; line = lines[i]) {
    const file = FILE_LINE.exec(line);
    if (file) {
      const frame: StackFrame = { file: file[1] as string, line: Number(file[2]) };
      if (file[3] !== undefined) frame.function = file[3];
      i++;
      const code = lines[i];
      if (code !== undefined && isCodeLine(code)) {
        frame.code = code.trim();
        i++;
      }
      printed.push(frame);
    } else if (MARKER_LINE.test(line) || REPEATED_LINE.test(line)) {
      i++;
    } else {
      break;
    }
  }
  const last = EXCEPTION_LINE.exec(lines[i]?.trim() ?? "");
  if (!last) return undefined;
  i++;
  const messageLines = [last[2] ?? ""];
  // Multi-line messages (and 3.11 notes) run until a blank line or the next chained traceback.
  for (let line = lines[i]; line !== undefined && line.trim() !== ""; line = lines[i]) {
    if (CHAIN_MARKERS.has(line.trim()) || isHeader(line)) break;
    messageLines.push(line);
    i++;
  }
  const exception: ExceptionInfo = {
    type: last[1] as string,
    message: messageLines.join("\n"),
    frames: printed.reverse(),
  };
  return { exception, next: i };
}

function isHeader(line: string): boolean {
  return line.trimEnd().endsWith(PYTHON_TRACEBACK_HEADER);
}

function isCodeLine(line: string): boolean {
  return (
    /^\s/.test(line) &&
    line.trim() !== "" &&
    !FILE_LINE.test(line) &&
    !MARKER_LINE.test(line) &&
    !REPEATED_LINE.test(line)
  );
}

function skipBlank(lines: readonly string[], from: number): number {
  let i = from;
  while (lines[i]?.trim() === "") i++;
  return i;
}
