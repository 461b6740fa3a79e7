/**
 * An exception (or Go panic) parsed out of log text. The per-language parsers live in
 * `traceback-*.ts`; `traceback.ts` picks the right one.
 */

export type ExceptionLanguage = "python" | "javascript" | "java" | "go";

export interface StackFrame {
  /** As printed: a path for Python, JavaScript and Go; the source file name (`Y.java`) for Java. */
  file: string;
  /** 1-based; 0 when the runtime printed no line (`Native Method`, `<anonymous>`). */
  line: number;
  function?: string;
  /** The source line, when the trace shows it (Python). */
  code?: string;
}

export interface ExceptionInfo {
  /** `ValueError`, `TypeError`, `java.lang.IllegalStateException`; `panic` or `runtime error` for Go. */
  type: string;
  message: string;
  /**
   * Innermost first: `frames[0]` is where the exception was raised, the last frame the outermost
   * caller. Python prints the opposite order ("most recent call last"); its frames are reversed so
   * every language reads the same way.
   */
  frames: StackFrame[];
  /**
   * The exception this one was raised from: Python's chained exception (`raise ... from`, or raised
   * while handling), Java's `Caused by:`, JavaScript's `[cause]:`, Go's earlier panic when a
   * deferred function panicked again. Follow `cause` to reach the root.
   */
  cause?: ExceptionInfo;
}

export interface ParsedException extends ExceptionInfo {
  language: ExceptionLanguage;
}

/** The end of the `cause` chain: the original failure. */
export function rootCause(exception: ExceptionInfo): ExceptionInfo {
  let current = exception;
  while (current.cause !== undefined) current = current.cause;
  return current;
}

/**
 * A key that groups occurrences of the same failure: type plus where it was raised, without the
 * message (messages carry ids and values that differ per occurrence).
 */
export function exceptionSignature(exception: ParsedException): string {
  const top = exception.frames[0];
  const where = top ? `${top.file}:${top.line}${top.function ? ` in ${top.function}` : ""}` : "?";
  return `${exception.language} ${exception.type} at ${where}`;
}

/**
 * The exception line above a stack's first frame (the nearest line matching `header`), with any
 * lines between them as the rest of a multi-line message.
 */
export function findHeader(
  lines: readonly string[],
  firstFrame: number,
  header: RegExp,
): { type: string; message: string } | undefined {
  for (let i = firstFrame - 1; i >= 0; i--) {
    const match = header.exec(lines[i] as string);
    if (match) {
      const continued = lines.slice(i + 1, firstFrame);
      return { type: match[1] as string, message: [match[2] ?? "", ...continued].join("\n") };
    }
  }
  return undefined;
}
