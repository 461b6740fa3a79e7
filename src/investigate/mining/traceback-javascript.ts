import { type ExceptionInfo, findHeader, type StackFrame } from "./exception.js";

/**
 * V8 (Node.js) stack traces:
 *
 *   TypeError: Cannot read properties of undefined (reading 'price')
 *       at priceOf (/app/src/cart.js:41:23)
 *       at async Promise.all (index 0)
 *       at /app/src/server.js:88:5 {
 *     [cause]: Error: ...
 *   }
 *
 * V8 prints innermost first, the order kept here. The header is the nearest line above the first
 * frame naming an error (`XxxError`/`XxxException`, possibly after a log prefix); lines between it
 * and the frames continue the message.
 */

/**
 * `at name (location)` or `at location`, where a bare location must carry a line number, so that
 * indented prose ("  at least 3 replicas") isn't taken for a frame.
 */
const FRAME_LINE = /^\s+at\s+(.+ \(.*\)(?: \{)?|[^\s()]+:\d+(?::\d+)?(?: \{)?)\s*$/;
const HEADER =
  /(?:^|\s)(?:Uncaught\s+)?((?:[A-Za-z_$][\w$]*\.)*[A-Za-z_$]?[\w$]*(?:Error|Exception)(?: \[[^\]]+\])?)(?::\s?(.*))?$/;
/** A capitalized `Name: message` right above the frames (`Trace: ...`, custom error names). */
const LOOSE_HEADER = /^\s*([A-Z][\w$]*)(?::\s?(.*))?$/;
const CAUSE_LINE = /^\s*\[cause\]:\s?(.*)$/;
const OMITTED_LINE = /^\s+\.\.\. \d+ lines? matching cause stack trace \.\.\.$/;
const LOCATION = /^(.*?):(\d+)(?::\d+)?$/;

export function isJavaScriptFrameLine(line: string): boolean {
  return FRAME_LINE.test(line);
}

export function parseJavaScriptStack(
  lines: readonly string[],
  firstFrame: number,
): ExceptionInfo | undefined {
  const header = findJavaScriptHeader(lines, firstFrame);
  if (header === undefined) return undefined;
  return readError(lines, header.type, header.message, firstFrame);
}

/** An error's frames from `firstFrame`, then its `[cause]`, if Node printed one. */
function readError(
  lines: readonly string[],
  type: string,
  message: string,
  firstFrame: number,
): ExceptionInfo {
  const frames: StackFrame[] = [];
  let i = firstFrame;
  for (let line = lines[i]; line !== undefined; line = lines[i]) {
    const frame = FRAME_LINE.exec(line);
    if (frame) frames.push(parseFrame(frame[1] as string));
    else if (!OMITTED_LINE.test(line)) break;
    i++;
  }
  const error: ExceptionInfo = { type, message, frames };
  const cause = readCause(lines, i);
  if (cause !== undefined) error.cause = cause;
  return error;
}

/** Node prints an error's own properties in `{ ... }` after its frames; `[cause]` is one of them. */
function readCause(lines: readonly string[], from: number): ExceptionInfo | undefined {
  for (let i = from; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === "}") return undefined;
    const cause = CAUSE_LINE.exec(line);
    if (!cause) continue;
    const text = cause[1] as string;
    const named = HEADER.exec(text) ?? LOOSE_HEADER.exec(text);
    const type = named?.[1] ?? "Error";
    const message = named ? (named[2] ?? "") : text;
    return readError(lines, type, message, i + 1);
  }
  return undefined;
}

function findJavaScriptHeader(
  lines: readonly string[],
  firstFrame: number,
): { type: string; message: string } | undefined {
  const header = findHeader(lines, firstFrame, HEADER);
  if (header) return header;
  const loose = LOOSE_HEADER.exec(lines[firstFrame - 1] ?? "");
  return loose ? { type: loose[1] as string, message: loose[2] ?? "" } : undefined;
}

/** `fn (/app/x.js:12:5)`, `async fn (file:///app/x.mjs:1:2)`, `/app/x.js:12:5`, `Array.map (<anonymous>)`. */
function parseFrame(text: string): StackFrame {
  let body = text.endsWith(" {") ? text.slice(0, -2) : text;
  if (body.startsWith("async ")) body = body.slice(6);
  let name: string | undefined;
  let location = body;
  const open = body.indexOf(" (");
  if (open > 0 && body.endsWith(")")) {
    name = body.slice(0, open);
    location = body.slice(open + 2, -1);
  }
  if (location.startsWith("file://")) location = location.slice(7);
  const at = LOCATION.exec(location);
  const frame: StackFrame = at ? { file: at[1] as string, line: Number(at[2]) } : { file: location, line: 0 };
  if (name !== undefined) frame.function = name;
  return frame;
}
