import { type ExceptionInfo, findHeader, type StackFrame } from "./exception.js";

/**
 * JVM stack traces (`Throwable.printStackTrace`, logback, log4j):
 *
 *   java.lang.IllegalStateException: catalog not loaded
 *   	at com.shop.catalog.CatalogService.lookup(CatalogService.java:42)
 *   	at java.base/java.lang.Thread.run(Thread.java:833)
 *   Caused by: java.io.FileNotFoundException: /data/catalog.json (No such file or directory)
 *   	at java.base/java.io.FileInputStream.open0(Native Method)
 *   	... 12 more
 *
 * The JVM prints innermost first, the order kept here. The top exception is the primary one; each
 * `Caused by:` becomes the `cause` of the one before it. `Suppressed:` blocks are skipped.
 */

const FRAME_LINE = /^\s+at\s+([^\s(]+)\(([^()]*)\)/;
/** A qualified class name (`java.lang.IllegalStateException`), possibly after a log prefix. */
const HEADER = /(?:^|\s)((?:[A-Za-z_$][\w$]*\.)+[A-Z][\w$]*)(?::\s?(.*))?$/;
const CAUSED_BY = /^Caused by:\s+([A-Za-z_$][\w$.]*)(?::\s?(.*))?$/;
const OMITTED_LINE = /^\s+\.\.\. \d+ (?:more|common frames omitted)\s*$/;
const SUPPRESSED_LINE = /^\s+Suppressed:\s/;

/** `at pkg.Class.method(File.java:42)`: no space before the parenthesis, unlike V8's frames. */
export function isJavaFrameLine(line: string): boolean {
  return FRAME_LINE.test(line);
}

export function parseJavaStack(lines: readonly string[], firstFrame: number): ExceptionInfo | undefined {
  const header = findHeader(lines, firstFrame, HEADER);
  if (header === undefined) return undefined;
  const primary: ExceptionInfo = { ...header, frames: [] };
  let current = primary;
  let i = firstFrame;
  while (i < lines.length) {
    const line = lines[i] as string;
    const frame = FRAME_LINE.exec(line);
    if (frame) {
      current.frames.push(parseFrame(frame[1] as string, frame[2] as string));
      i++;
      continue;
    }
    if (OMITTED_LINE.test(line)) {
      i++;
      continue;
    }
    if (SUPPRESSED_LINE.test(line)) {
      // Suppressed exceptions and their causes are indented; the next unindented line ends them.
      i++;
      while (i < lines.length && /^\s/.test(lines[i] as string)) i++;
      continue;
    }
    const causedBy = CAUSED_BY.exec(line);
    if (!causedBy) break;
    i++;
    const message = [causedBy[2] ?? ""];
    while (i < lines.length && isMessageLine(lines[i] as string)) {
      message.push(lines[i] as string);
      i++;
    }
    const cause: ExceptionInfo = { type: causedBy[1] as string, message: message.join("\n"), frames: [] };
    current.cause = cause;
    current = cause;
  }
  return primary;
}

function isMessageLine(line: string): boolean {
  return line.trim() !== "" && !FRAME_LINE.test(line) && !CAUSED_BY.test(line);
}

/** `java.base/java.io.FileInputStream.open0` + `Native Method`; `app//com.x.Y.m` + `Y.java:42`. */
function parseFrame(method: string, location: string): StackFrame {
  const name = method.slice(method.lastIndexOf("/") + 1);
  const colon = location.lastIndexOf(":");
  const line = colon > 0 ? Number(location.slice(colon + 1)) : Number.NaN;
  if (Number.isInteger(line) && line > 0) return { file: location.slice(0, colon), line, function: name };
  return { file: location, line: 0, function: name };
}
