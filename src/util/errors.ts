/**
 * A mistake the user can fix (bad input, busy port, missing binary). The CLI prints its message as
 * one line and exits non-zero, without a stack trace.
 */
export class UserError extends Error {
  override readonly name = "UserError";
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
