import { APICallError, RetryError } from "ai";
import { redactText } from "../util/redact.js";

/**
 * Why the model could not be used. The investigation and the bridge catch it and fall back to the
 * deterministic path, showing `message` (one line, no key in it) in the report.
 */
export type FailureKind = "unavailable" | "budget" | "timeout" | "error";

export class ModelFailure extends Error {
  override readonly name = "ModelFailure";
  constructor(
    message: string,
    readonly kind: FailureKind,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const maxReasonChars = 300;

/** An AI SDK error as one line a reader can act on, with the key (and any credential shape) removed. */
export function modelFailureOf(
  err: unknown,
  where: { baseUrl: string; timeoutMs: number; hide: readonly string[] },
): ModelFailure {
  if (err instanceof ModelFailure) return err;
  const hidden = (text: string) => redactText(oneLine(text), where.hide).slice(0, maxReasonChars);
  const retried = RetryError.isInstance(err) ? `${err.errors.length} attempts` : undefined;
  const cause = RetryError.isInstance(err) ? err.lastError : err;
  const detail = (...parts: (string | undefined)[]) => {
    const kept = parts.filter(Boolean);
    return kept.length ? ` (${kept.join(", ")})` : "";
  };
  const e = cause as Error | undefined;
  if (e?.name === "TimeoutError" || e?.name === "AbortError")
    return new ModelFailure(`no answer from ${where.baseUrl} within ${where.timeoutMs / 1000} s`, "timeout");
  if (APICallError.isInstance(cause)) {
    const status = cause.statusCode;
    if (status === undefined) {
      const code = (cause.cause as { code?: string } | undefined)?.code;
      return new ModelFailure(hidden(`cannot reach ${where.baseUrl}${detail(code, retried)}`), "unavailable");
    }
    const what =
      status === 401 || status === 403
        ? "refused the API key"
        : status === 429
          ? "is rate limiting"
          : status >= 500
            ? "failed"
            : "rejected the request";
    return new ModelFailure(
      hidden(`${where.baseUrl} ${what}${detail(`HTTP ${status}`, retried)}: ${cause.message}`),
      "error",
    );
  }
  return new ModelFailure(hidden(`${e?.message ?? String(err)}${detail(retried)}`), "error", { cause });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
