import { Hono } from "hono";
import type { Incident, IncidentSummary } from "../../pipeline/incident.js";
import type { IncidentStore } from "../../pipeline/store.js";
import type { Verdict } from "../../verify/verdict.js";
import { renderIncidentList } from "./incident-list.js";
import { renderIncident } from "./incident-page.js";
import type { IncidentOutcome, IncidentRow, IncidentView } from "./view.js";

/** The web UI: the incident list at `/` and one incident at `/incidents/:id`. */
export function uiRoutes(deps: { store: IncidentStore }): Hono {
  const app = new Hono();
  app.get("/", (c) => c.html(renderIncidentList(deps.store.list({ limit: 200 }).map(toRow))));
  app.get("/incidents/:id", (c) => {
    const id = Number(c.req.param("id"));
    const incident = Number.isInteger(id) ? deps.store.get(id) : undefined;
    if (!incident) return c.html(renderIncidentList([]), 404);
    return c.html(renderIncident(toView(incident)));
  });
  return app;
}

function outcomeOf(i: IncidentSummary): IncidentOutcome | undefined {
  if (i.stage === "failed") return "failed";
  return i.stage === "concluded" ? i.outcome : undefined;
}

function toRow(i: IncidentSummary & { report?: Incident["report"] }): IncidentRow {
  const concluded = i.stage === "concluded" || i.stage === "failed";
  return {
    id: String(i.id),
    alertName: i.alertName,
    service: i.report?.service ?? "",
    stage: i.stage,
    outcome: outcomeOf(i),
    receivedAt: i.receivedAt,
    concludedAt: concluded ? i.updatedAt : undefined,
    summary: i.headline ?? i.error,
  };
}

/** The stored verdict is the verifier's full Verdict when it came from the real verifier. */
function fullVerdict(v: Incident["verdict"]): Verdict | undefined {
  return v && (v as Partial<Verdict>).schema === "fixloop.verdict/v1" ? (v as Verdict) : undefined;
}

function toView(i: Incident): IncidentView {
  return {
    row: { ...toRow(i), service: i.report?.service ?? i.alert.labels.service ?? "" },
    reportMarkdown: i.reportMarkdown,
    patch: i.patch,
    verdict: fullVerdict(i.verdict),
    bundleMarkdown: i.bundleMarkdown,
    error: i.stage === "failed" ? i.error : undefined,
    stageTimes: i.history.map((a) => ({ stage: a.stage, startedAt: a.startedAt, finishedAt: a.finishedAt })),
  };
}
