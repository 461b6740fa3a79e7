import { errorMessage, UserError } from "../util/errors.js";
import { type Incident, pendingStage, type StageName, stageNames } from "./incident.js";
import type { Stages } from "./stages.js";
import type { IncidentStore } from "./store.js";

export interface WorkerOptions {
  /** Stages of this kind running at once. Default: investigate 2, patch 1, verify 1 (verifications are heavy). */
  concurrency?: Partial<Record<StageName, number>>;
  /** Per-attempt time limit; the stage's signal aborts then. */
  timeoutsMs?: Partial<Record<StageName, number>>;
  /** Attempts per stage (crashes of the process included) before the incident fails. Default 3. */
  maxAttempts?: number;
  /** Wait before a failed attempt is retried. Default 30 s. */
  retryDelayMs?: number;
  /** Called when an attempt ends, for metrics. */
  onAttemptEnd?: (event: { stage: StageName; result: AttemptResult; durationMs: number }) => void;
  log?: (message: string) => void;
}

export type AttemptResult = "ok" | "error" | "timeout" | "interrupted";

export const defaultConcurrency: Record<StageName, number> = { investigate: 2, patch: 1, verify: 1 };
export const defaultTimeoutsMs: Record<StageName, number> = {
  investigate: 5 * 60_000,
  patch: 10 * 60_000,
  // The verifier's adaptive replay may run 1000 paired requests per side at a 5 s request timeout.
  verify: 30 * 60_000,
};

class StageTimeout extends Error {
  constructor(stage: StageName, ms: number) {
    super(`${stage} timed out after ${ms} ms`);
  }
}
class Shutdown extends Error {}

interface Running {
  controller: AbortController;
  done: Promise<void>;
}

/**
 * Runs incidents through investigate → patch → verify from the store, with a concurrency bound
 * and a timeout per stage. The store is the queue: whatever is unfinished there (after a restart
 * or a crash too) is picked up, oldest first. A failed attempt is retried after a delay until the
 * stage has used its attempts; a UserError (a configuration the user must fix) fails at once.
 */
export class Worker {
  private readonly running = new Map<number, Running>();
  private readonly busy: Record<StageName, number> = { investigate: 0, patch: 0, verify: 0 };
  private readonly concurrency: Record<StageName, number>;
  private readonly timeoutsMs: Record<StageName, number>;
  private readonly maxAttempts: number;
  private readonly retryDelayMs: number;
  private readonly log: (message: string) => void;
  private pumpScheduled = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    private readonly store: IncidentStore,
    private readonly stages: Stages,
    private readonly options: WorkerOptions = {},
  ) {
    this.concurrency = { ...defaultConcurrency, ...options.concurrency };
    this.timeoutsMs = { ...defaultTimeoutsMs, ...options.timeoutsMs };
    this.maxAttempts = options.maxAttempts ?? 3;
    this.retryDelayMs = options.retryDelayMs ?? 30_000;
    this.log = options.log ?? (() => {});
  }

  /** Marks attempts a dead process left `running` as interrupted, then works through the store. */
  start(): void {
    const interrupted = this.store.recoverInterrupted();
    if (interrupted > 0) this.log(`resuming ${interrupted} stage(s) interrupted by a stop or crash`);
    this.wake();
  }

  /** Looks for work soon (after new incidents, a rerun, a finished stage); calls coalesce. */
  wake(): void {
    if (this.pumpScheduled || this.stopping) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  isRunning(id: number): boolean {
    return this.running.has(id);
  }

  /** Aborts running stages (their attempts do not count) and waits for them to let go. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    for (const r of this.running.values()) r.controller.abort(new Shutdown("fixloop is stopping"));
    await Promise.all([...this.running.values()].map((r) => r.done));
  }

  private pump(): void {
    if (this.stopping) return;
    try {
      this.dispatch();
    } catch (err) {
      this.log(`worker: cannot read the store: ${errorMessage(err)}`);
    }
  }

  private dispatch(): void {
    const now = Date.now();
    for (const stage of stageNames) {
      const free = this.concurrency[stage] - this.busy[stage];
      if (free <= 0) continue;
      for (const id of this.store.due(stage, now, free, new Set(this.running.keys()))) this.launch(id, stage);
    }
    // Retries already due wait for a free slot (a finishing stage wakes the worker); a timer is only
    // needed for the next one not yet due.
    clearTimeout(this.retryTimer);
    const next = this.store.nextRetryAt(now);
    if (next !== undefined) this.retryTimer = setTimeout(() => this.wake(), next - now).unref();
  }

  private launch(id: number, stage: StageName): void {
    const controller = new AbortController();
    this.busy[stage]++;
    const entry: Running = { controller, done: Promise.resolve() };
    this.running.set(id, entry);
    entry.done = this.attempt(id, stage, controller)
      .catch((err: unknown) => this.log(`incident ${id}: ${stage}: store error: ${errorMessage(err)}`))
      .finally(() => {
        this.busy[stage]--;
        this.running.delete(id);
        this.wake();
      });
  }

  private async attempt(id: number, stage: StageName, controller: AbortController): Promise<void> {
    const incident = this.store.get(id);
    if (!incident || pendingStage(incident.stage) !== stage) return;
    if (incident.attempts >= this.maxAttempts) {
      const last = incident.history.at(-1)?.error;
      this.store.fail(
        id,
        stage,
        "error",
        `gave up after ${incident.attempts} attempt(s)${last ? `; last: ${last}` : ""}`,
        undefined,
      );
      this.log(`incident ${id}: ${stage} failed: out of attempts`);
      return;
    }
    const attempt = this.store.beginStage(id, stage);
    this.log(`incident ${id}: ${stage} (attempt ${attempt})`);
    const started = performance.now();
    const timeoutMs = this.timeoutsMs[stage];
    const timer = setTimeout(() => controller.abort(new StageTimeout(stage, timeoutMs)), timeoutMs);
    const work = this.run(stage, incident, controller.signal);
    try {
      await untilAborted(work, controller.signal);
      const durationMs = performance.now() - started;
      this.options.onAttemptEnd?.({ stage, result: "ok", durationMs });
    } catch (err) {
      const durationMs = performance.now() - started;
      const reason: unknown = controller.signal.aborted ? controller.signal.reason : err;
      const result: AttemptResult =
        reason instanceof Shutdown ? "interrupted" : reason instanceof StageTimeout ? "timeout" : "error";
      this.options.onAttemptEnd?.({ stage, result, durationMs });
      const message = errorMessage(reason);
      if (result === "interrupted") this.store.interrupt(id, stage, durationMs);
      else if (result === "error" && reason instanceof UserError)
        this.store.fail(id, stage, result, message, durationMs);
      else if (attempt >= this.maxAttempts) this.store.fail(id, stage, result, message, durationMs);
      else this.store.retryLater(id, stage, result, message, durationMs, Date.now() + this.retryDelayMs);
      this.log(`incident ${id}: ${stage} ${result}: ${message}`);
    } finally {
      clearTimeout(timer);
      // The slot stays taken until the stage really lets go, so the concurrency bound holds even for
      // a stage that is slow to honour its signal.
      await work.catch(() => {});
    }
  }

  /** Runs one stage and stores its output; the output of an aborted attempt is discarded. */
  private async run(stage: StageName, incident: Incident, signal: AbortSignal): Promise<void> {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    const { id } = incident;
    switch (stage) {
      case "investigate": {
        const { report, markdown } = await this.stages.investigate(incident, signal);
        if (!signal.aborted) this.store.completeInvestigation(id, report, markdown, elapsed());
        return;
      }
      case "patch": {
        if (!incident.report) throw new Error(`incident ${id} has no report to patch from`);
        const result = await this.stages.patch(incident, incident.report, signal);
        if (!signal.aborted) this.store.completePatch(id, result, elapsed());
        return;
      }
      case "verify": {
        if (!incident.report || !incident.patch) throw new Error(`incident ${id} has no patch to verify`);
        const { verdict, markdown } = await this.stages.verify(
          incident,
          incident.report,
          incident.patch,
          signal,
        );
        if (!signal.aborted) this.store.completeVerification(id, verdict, markdown, elapsed());
        return;
      }
    }
  }
}

/** Settles with `work`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
