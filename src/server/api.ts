import { Hono } from "hono";
import { z } from "zod";
import { stageNames } from "../pipeline/incident.js";
import type { IncidentStore } from "../pipeline/store.js";
import type { Worker } from "../pipeline/worker.js";

const rerunBody = z.object({ stage: z.enum(stageNames) }).strict();
const maxPage = 1000;

/** The JSON API over the store: incidents, their artifacts, and reruns. */
export function apiRoutes(deps: { store: IncidentStore; worker: Worker }): Hono {
  const { store, worker } = deps;
  const app = new Hono();

  app.get("/incidents", (c) => {
    const limit = pageParam(c.req.query("limit"), 100);
    const before = pageParam(c.req.query("before"), undefined);
    if (limit === null || before === null || (limit ?? 0) > maxPage)
      return c.json({ error: `limit must be 1..${maxPage} and before a positive incident id` }, 400);
    return c.json({ incidents: store.list({ limit, before }) });
  });

  app.get("/incidents/:id", (c) => {
    const incident = incidentOf(store, c.req.param("id"));
    return incident ? c.json(incident) : c.json({ error: "no such incident" }, 404);
  });

  const artifact = (file: string, contentType: string, pick: (id: string) => string | undefined) =>
    app.get(`/incidents/:id/${file}`, (c) => {
      const text = pick(c.req.param("id"));
      if (text === undefined) return c.json({ error: `no ${file} for this incident (yet)` }, 404);
      return c.body(text, 200, { "content-type": contentType });
    });
  artifact("patch.diff", "text/x-diff; charset=utf-8", (id) => incidentOf(store, id)?.patch?.diff);
  artifact("report.md", "text/markdown; charset=utf-8", (id) => incidentOf(store, id)?.reportMarkdown);
  artifact("bundle.md", "text/markdown; charset=utf-8", (id) => incidentOf(store, id)?.bundleMarkdown);

  app.post("/incidents/:id/rerun", async (c) => {
    const id = idParam(c.req.param("id"));
    if (id === undefined || !store.get(id)) return c.json({ error: "no such incident" }, 404);
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'expected a JSON body: {"stage": "investigate" | "patch" | "verify"}' }, 400);
    }
    const parsed = rerunBody.safeParse(body);
    if (!parsed.success)
      return c.json({ error: 'expected {"stage": "investigate" | "patch" | "verify"}' }, 400);
    if (worker.isRunning(id))
      return c.json({ error: `incident ${id} has a stage running; rerun it when that ends` }, 409);
    const result = store.rerun(id, parsed.data.stage);
    if (!result.ok) return c.json({ error: result.reason }, 409);
    worker.wake();
    return c.json(store.get(id), 202);
  });

  return app;
}

function incidentOf(store: IncidentStore, raw: string) {
  const id = idParam(raw);
  return id === undefined ? undefined : store.get(id);
}

function idParam(raw: string): number | undefined {
  return /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : undefined;
}

/** A positive integer query parameter: the fallback when absent, null when invalid. */
function pageParam<T extends number | undefined>(raw: string | undefined, fallback: T): number | T | null {
  if (raw === undefined) return fallback;
  return idParam(raw) ?? null;
}
