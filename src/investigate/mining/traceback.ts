import type { ParsedException } from "./exception.js";
import { isGoroutineLine, parseGoPanic } from "./traceback-go.js";
import { isJavaFrameLine, parseJavaStack } from "./traceback-java.js";
import { isJavaScriptFrameLine, parseJavaScriptStack } from "./traceback-javascript.js";
import { PYTHON_TRACEBACK_HEADER, parsePythonTraceback } from "./traceback-python.js";

export type { ExceptionInfo, ExceptionLanguage, ParsedException, StackFrame } from "./exception.js";
export { exceptionSignature, rootCause } from "./exception.js";

/**
 * Finds the exception in one log entry: its first line plus continuation lines, joined by newlines.
 * Recognizes Python tracebacks, V8 (Node.js) stacks, JVM stack traces and Go panics; returns
 * undefined for anything else, including one-line "error" messages that carry no stack.
 * Frames are innermost first in every language (see {@link ExceptionInfo.frames}).
 */
export function parseException(entry: string): ParsedException | undefined {
  // Every supported format spans several lines; most entries are one line, and this is their exit.
  if (!entry.includes("\n")) return undefined;
  const lines = entry.split(/\r?\n/);
  if (entry.includes(PYTHON_TRACEBACK_HEADER)) {
    const python = parsePythonTraceback(lines);
    if (python) return { language: "python", ...python };
  }
  if (entry.includes("goroutine ") && lines.some(isGoroutineLine)) {
    const go = parseGoPanic(lines);
    if (go) return { language: "go", ...go };
  }
  if (entry.includes("at ")) {
    const firstFrame = lines.findIndex(isStackFrameLine);
    if (firstFrame < 0) return undefined;
    if (isJavaFrameLine(lines[firstFrame] as string)) {
      const java = parseJavaStack(lines, firstFrame);
      return java && { language: "java", ...java };
    }
    const javascript = parseJavaScriptStack(lines, firstFrame);
    return javascript && { language: "javascript", ...javascript };
  }
  return undefined;
}

/** `at ...` lines: JVM and V8 frames look alike until the parenthesis. */
function isStackFrameLine(line: string): boolean {
  return isJavaFrameLine(line) || isJavaScriptFrameLine(line);
}

export interface FoundException {
  /** Index into the entries given to {@link findExceptions}. */
  entryIndex: number;
  exception: ParsedException;
}

/** The exceptions among many log entries, in entry order. */
export function findExceptions(entries: readonly string[]): FoundException[] {
  const found: FoundException[] = [];
  entries.forEach((entry, entryIndex) => {
    const exception = parseException(entry);
    if (exception) found.push({ entryIndex, exception });
  });
  return found;
}
