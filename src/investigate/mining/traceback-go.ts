import type { ExceptionInfo, StackFrame } from "./exception.js";

/**
 * Go panics and fatal errors:
 *
 *   panic: runtime error: index out of range [5] with length 3
 *
 *   goroutine 1 [running]:
 *   main.lookup(...)
 *   	/app/catalog.go:42
 *   main.main()
 *   	/app/main.go:20 +0x1d
 *
 * Also net/http's `http: panic serving <addr>: <message>` followed by the handler goroutine's stack.
 *
 * Only the first goroutine is read: it is the one that panicked. Go prints innermost first, the
 * order kept here. When the trace shows the builtin `panic` (explicit or recovered panics), that
 * frame and the deferred recovery code above it are dropped, so `frames[0]` is where it panicked.
 * When a deferred function panics again, Go lists each panic in order; the last one crashed the
 * program and is the primary, the earlier ones its causes.
 */

const PANIC_LINE = /^(?:.*?\s)?(panic|fatal error): (.*?)(?: \[recovered\])?\s*$/;
/** net/http logs a handler's recovered panic, then the goroutine's stack. */
const HTTP_PANIC_LINE = /\bhttp: panic serving \S+: (.*?)\s*$/;
const GOROUTINE_LINE = /^\s*goroutine \d+ .*\[[^\]]*\]:\s*$/;
const LOCATION_LINE = /^\s+(.+?):(\d+)(?: \+0x[0-9a-fA-F]+)?\s*$/;
const RUNTIME_ERROR = "runtime error: ";

export function isGoroutineLine(line: string): boolean {
  return GOROUTINE_LINE.test(line);
}

export function parseGoPanic(lines: readonly string[]): ExceptionInfo | undefined {
  const goroutine = lines.findIndex(isGoroutineLine);
  if (goroutine < 0) return undefined;
  let primary: ExceptionInfo | undefined;
  for (const line of lines.slice(0, goroutine)) {
    const http = HTTP_PANIC_LINE.exec(line);
    const panic = http ? ["", "panic", http[1]] : PANIC_LINE.exec(line);
    if (!panic) continue;
    const next = describe(panic[1] as string, panic[2] as string);
    primary = primary === undefined ? next : { ...next, cause: primary };
  }
  if (primary === undefined) return undefined;
  primary.frames = readFrames(lines, goroutine + 1);
  return primary;
}

function describe(kind: string, text: string): ExceptionInfo {
  if (kind === "panic" && text.startsWith(RUNTIME_ERROR)) {
    return { type: "runtime error", message: text.slice(RUNTIME_ERROR.length), frames: [] };
  }
  return { type: kind, message: text, frames: [] };
}

/** `pkg.fn(args)` lines, each followed by its `\t/path/file.go:42 +0x1d` line, up to a blank line. */
function readFrames(lines: readonly string[], from: number): StackFrame[] {
  const frames: StackFrame[] = [];
  for (let i = from; i + 1 < lines.length; i += 2) {
    const call = (lines[i] as string).trim();
    const location = LOCATION_LINE.exec(lines[i + 1] as string);
    if (call === "" || location === null) break;
    // `created by main.main in goroutine 1` names where the goroutine started, not a call.
    if (call.startsWith("created by ")) continue;
    const open = call.lastIndexOf("(");
    const name = open > 0 ? call.slice(0, open) : call;
    frames.push({ file: location[1] as string, line: Number(location[2]), function: name });
  }
  const panicFrame = frames.findIndex((frame) => frame.function === "panic");
  return panicFrame >= 0 ? frames.slice(panicFrame + 1) : frames;
}
