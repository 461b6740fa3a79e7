import { setTimeout as sleep } from "node:timers/promises";
import type { Stages } from "../pipeline/stages.js";
import { IncidentStore } from "../pipeline/store.js";
import { Worker, type WorkerOptions } from "../pipeline/worker.js";
import { type AppDeps, createApp } from "./app.js";
import type { ServerAuth } from "./auth.js";
import { listen } from "./http.js";
import { ServerMetrics } from "./metrics.js";

export interface ServiceOptions {
  /** The store is `<stateDir>/fixloop.db`. */
  stateDir: string;
  host: string;
  /** 0: any free port (see RunningService.url). */
  port: number;
  auth?: ServerAuth;
  maxBodyBytes?: number;
  worker?: Omit<WorkerOptions, "onAttemptEnd" | "log">;
  ui?: AppDeps["ui"];
  log?: (message: string) => void;
}

export interface RunningService {
  url: string;
  store: IncidentStore;
  worker: Worker;
  /** Stops intake, interrupts running stages (they run again at the next start), closes the store. */
  close(): Promise<void>;
}

/** How long a stopping service waits for stages to let go of their processes and workspaces. */
const stageGraceMs = 15_000;

/**
 * The pipeline service: the store (claimed for this process), the worker resuming whatever was
 * unfinished, and the HTTP server. The stages are passed in: `realStages` in `fixloop serve`.
 */
export async function startService(options: ServiceOptions, stages: Stages): Promise<RunningService> {
  const store = IncidentStore.open(IncidentStore.fileIn(options.stateDir));
  try {
    store.claim();
    const metrics = new ServerMetrics(store);
    const worker = new Worker(store, stages, {
      ...options.worker,
      onAttemptEnd: (e) => metrics.observeAttempt(e),
      log: options.log,
    });
    const app = createApp({
      store,
      worker,
      metrics,
      auth: options.auth,
      maxBodyBytes: options.maxBodyBytes,
      ui: options.ui,
      log: options.log,
    });
    const listening = await listen(app, options.host, options.port);
    worker.start();
    return {
      url: listening.url,
      store,
      worker,
      async close() {
        await listening.close();
        await Promise.race([worker.stop(), sleep(stageGraceMs, undefined, { ref: false })]);
        store.release();
        store.close();
      },
    };
  } catch (err) {
    store.release();
    store.close();
    throw err;
  }
}
