import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { StageName } from "../pipeline/incident.js";
import { stageNames } from "../pipeline/incident.js";
import type { IncidentStore } from "../pipeline/store.js";
import type { AttemptResult } from "../pipeline/worker.js";

/** The server's Prometheus metrics, in a registry of its own (several servers may share a process). */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly webhookRequests: Counter<"code">;
  private readonly stageDuration: Histogram<"stage" | "result">;

  constructor(store: IncidentStore) {
    this.webhookRequests = new Counter({
      name: "fixloop_webhook_requests_total",
      help: "Alertmanager webhook requests, by HTTP status answered",
      labelNames: ["code"],
      registers: [this.registry],
    });
    this.stageDuration = new Histogram({
      name: "fixloop_stage_duration_seconds",
      help: "Duration of pipeline stage attempts, by stage and result",
      labelNames: ["stage", "result"],
      // From a quick investigation to a long adaptive verification.
      buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800],
      registers: [this.registry],
    });
    new Gauge({
      name: "fixloop_incidents",
      help: "Incidents in the store, by stage and outcome (verdict, or no-patch)",
      labelNames: ["stage", "outcome"],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const row of store.countByStage())
          this.set({ stage: row.stage, outcome: row.outcome ?? "" }, row.count);
      },
    });
    for (const stage of stageNames) this.stageDuration.zero({ stage, result: "ok" });
  }

  countWebhook(code: number): void {
    this.webhookRequests.inc({ code: String(code) });
  }

  observeAttempt(event: { stage: StageName; result: AttemptResult; durationMs: number }): void {
    this.stageDuration.observe({ stage: event.stage, result: event.result }, event.durationMs / 1000);
  }
}
