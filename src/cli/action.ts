import { UserError } from "../util/errors.js";

/**
 * Wraps a command action: user mistakes print one line and exit with their code; anything else is
 * a fixloop bug, reported as such (with the stack only when FIXLOOP_DEBUG is set).
 */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<number | undefined> | number | undefined,
) {
  return async (...args: A): Promise<void> => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? 0;
    } catch (err) {
      if (err instanceof UserError) {
        process.stderr.write(`fixloop: ${err.message}\n`);
        process.exitCode = err.exitCode;
      } else {
        const e = err as Error;
        process.stderr.write(
          `fixloop: internal error: ${e?.message ?? String(err)} (set FIXLOOP_DEBUG=1 for details)\n`,
        );
        if (process.env.FIXLOOP_DEBUG) process.stderr.write(`${e?.stack}\n`);
        process.exitCode = 70;
      }
    }
  };
}

export function progress(message: string): void {
  process.stderr.write(`· ${message}\n`);
}
