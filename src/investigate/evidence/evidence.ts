import type { Alert } from "../../alerts/alert.js";
import type { Environment } from "../../manifest/load.js";
import type { ServiceSpec } from "../../manifest/schema.js";
import type { PrometheusClient } from "../../monitoring/prometheus-client.js";
import type { Runtime } from "../../runtime/runtime.js";
import { errorMessage } from "../../util/errors.js";
import type { EvidenceRecord } from "../report.js";

/**
 * The contract every evidence source implements: gather read-only evidence within a time budget
 * and a size cap, record every query or command it runs, and say why when the evidence is not
 * there instead of failing the investigation.
 */
export interface EvidenceSource<T, C = GatherContext> {
  readonly name: string;
  gather(ctx: C, recorder: SourceRecorder): Promise<Gathered<T>>;
}

export type Gathered<T> = { available: true; value: T } | { available: false; reason: string };

export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

/** What every source can see before any evidence is gathered. */
export interface BaseContext {
  alert: Alert;
  service: string;
  spec: ServiceSpec;
  envm: Environment;
  runtime: Runtime;
  /** Undefined when no Prometheus URL is known. */
  prometheus: ((deadline: number) => PrometheusClient) | undefined;
  /** Known secret values of the service, redacted wherever evidence text is kept. */
  secrets: string[];
  now: Date;
}

/** The time span the investigation looks at, derived from the alert and its rule. */
export interface AlertWindow {
  /** When the failure began to count: the alert's start minus its rule's `for` and range window. */
  start: Date;
  /** Now, or when the alert resolved. */
  end: Date;
  /** Start of the span before the window, used as the contrast baseline. */
  beforeStart: Date;
}

export interface GatherContext extends BaseContext {
  window: AlertWindow;
  /** The alert rule's expression, when known. */
  expr: string | undefined;
}

/** The investigation's record of what it ran; each source writes through its own recorder. */
export class EvidenceLog {
  readonly records: EvidenceRecord[] = [];

  forSource(source: string, budgetMs: number): SourceRecorder {
    return new SourceRecorder(this, source, budgetMs);
  }
}

export class SourceRecorder {
  readonly deadline: number;

  constructor(
    private readonly log: EvidenceLog,
    readonly source: string,
    readonly budgetMs: number,
  ) {
    this.deadline = Date.now() + budgetMs;
  }

  timeLeftMs(): number {
    return Math.max(0, this.deadline - Date.now());
  }

  /**
   * Runs one query or command and records it with its timing. A failure is recorded and returned
   * as a reason, never thrown; once the budget is spent, further actions are recorded as skipped.
   */
  async run<T>(
    action: string,
    fn: () => Promise<T> | T,
    note?: (value: T) => string | undefined,
  ): Promise<Outcome<T>> {
    const startedAt = new Date();
    const started = performance.now();
    const record = (ok: boolean, text: string | undefined) => {
      const entry: EvidenceRecord = {
        source: this.source,
        action,
        startedAt: startedAt.toISOString(),
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        ok,
      };
      if (text) entry.note = text;
      this.log.records.push(entry);
    };
    if (this.timeLeftMs() <= 0) {
      const reason = `skipped: the ${this.source} time budget (${this.budgetMs} ms) was spent`;
      record(false, reason);
      return { ok: false, reason };
    }
    try {
      const value = await fn();
      record(true, note?.(value));
      return { ok: true, value };
    } catch (err) {
      const reason = errorMessage(err).split("\n")[0] ?? "failed";
      record(false, reason);
      return { ok: false, reason };
    }
  }
}
