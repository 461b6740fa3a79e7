import type { Alert } from "../alerts/alert.js";
import type { IncidentStore, IntakeResult } from "./store.js";

interface Pending {
  alerts: readonly Alert[];
  resolve: (result: IntakeResult) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for webhook intake: notifications that arrive in the same turn of the event loop
 * are written in one transaction, so one fsync covers them all. Each caller still gets its answer
 * only after the transaction holding its alerts has committed.
 */
export class Intake {
  private pending: Pending[] = [];

  constructor(
    private readonly store: IncidentStore,
    private readonly onCreated: () => void,
  ) {}

  record(alerts: readonly Alert[]): Promise<IntakeResult> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => this.flush());
      this.pending.push({ alerts, resolve, reject });
    });
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    let results: IntakeResult[];
    try {
      results = this.store.recordNotifications(batch.map((p) => p.alerts));
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    for (const [i, p] of batch.entries()) p.resolve(results[i] as IntakeResult);
    if (results.some((r) => r.created.length > 0)) this.onCreated();
  }
}
