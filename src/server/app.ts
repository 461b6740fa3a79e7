import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { Intake } from "../pipeline/intake.js";
import type { IncidentStore } from "../pipeline/store.js";
import type { Worker } from "../pipeline/worker.js";
import { errorMessage } from "../util/errors.js";
import { apiRoutes } from "./api.js";
import { requireAuth, type ServerAuth } from "./auth.js";
import type { ServerMetrics } from "./metrics.js";
import { webhookRoutes } from "./webhook.js";

export const defaultMaxBodyBytes = 1024 * 1024;

export interface AppDeps {
  store: IncidentStore;
  worker: Worker;
  metrics: ServerMetrics;
  /** Required on every route but /healthz when set. */
  auth?: ServerAuth;
  /** Larger request bodies are answered 413. Default 1 MiB. */
  maxBodyBytes?: number;
  /** The web UI's routes, mounted at `/` after the API. */
  ui?: (deps: { store: IncidentStore; worker: Worker }) => Hono;
  log?: (message: string) => void;
}

/**
 * The HTTP surface: `/webhooks/alertmanager`, `/api/...`, `/metrics`, `/healthz`, and the UI.
 * Every failure is an HTTP answer (4xx for the caller's mistakes, 500 for ours), never a crash.
 */
export function createApp(deps: AppDeps): Hono {
  const { store, worker, metrics } = deps;
  const app = new Hono();
  app.use("/webhooks/*", async (c, next) => {
    await next();
    metrics.countWebhook(c.res.status);
  });
  app.get("/healthz", (c) => c.json({ status: "ok", schemaVersion: store.schemaVersion }));
  if (deps.auth) app.use("*", requireAuth(deps.auth));
  const maxSize = deps.maxBodyBytes ?? defaultMaxBodyBytes;
  app.use(
    "*",
    bodyLimit({
      maxSize,
      // The rest of the body is not read: close the connection rather than reuse it.
      onError: (c) =>
        c.json({ error: `request body larger than ${maxSize} bytes` }, 413, { connection: "close" }),
    }),
  );
  app.route("/webhooks", webhookRoutes(new Intake(store, () => worker.wake())));
  app.route("/api", apiRoutes({ store, worker }));
  app.get("/metrics", async (c) =>
    c.body(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType }),
  );
  if (deps.ui) app.route("/", deps.ui({ store, worker }));
  app.notFound((c) => c.json({ error: `no route ${c.req.method} ${c.req.path}` }, 404));
  app.onError((err, c) => {
    deps.log?.(`${c.req.method} ${c.req.path}: ${errorMessage(err)}`);
    return c.json({ error: `internal error: ${errorMessage(err)}` }, 500);
  });
  return app;
}
