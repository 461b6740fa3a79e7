import { outcomeBadge, stageBadge, withoutOutcome } from "./badges.js";
import { escapeHtml } from "./html.js";
import { refreshSeconds, renderPage } from "./layout.js";
import { elapsedMs, formatDuration, formatTime } from "./time.js";
import type { IncidentRow } from "./view.js";

/** The incident list, newest first; reloads itself while any incident is in progress. */
export function renderIncidentList(rows: readonly IncidentRow[]): string {
  const sorted = [...rows].sort(
    (a, b) => time(b.receivedAt) - time(a.receivedAt) || b.id.localeCompare(a.id),
  );
  const running = rows.filter((r) => !r.outcome).length;
  const body = `<section class="card">
<div class="list-head"><h1>Incidents</h1><span class="muted small">${escapeHtml(tally(rows))}${running ? ` · refreshing every ${refreshSeconds} s while ${running} ${running === 1 ? "is" : "are"} in progress` : ""}</span></div>
${sorted.length ? table(sorted) : '<p class="empty">No incidents yet. They appear here when an alert reaches the webhook.</p>'}
</section>`;
  return renderPage({
    title: running ? `(${running}) Incidents · fixloop` : "Incidents · fixloop",
    body,
    refreshSeconds: running ? refreshSeconds : undefined,
  });
}

function table(rows: IncidentRow[]): string {
  const line = (r: IncidentRow) => {
    const took = elapsedMs(r.receivedAt, r.concludedAt);
    return `<tr>
<td>${outcomeBadge(r)}</td>
<td><a class="alert" href="/incidents/${escapeHtml(encodeURIComponent(r.id))}">${escapeHtml(r.alertName)}</a>${summary(r)}</td>
<td><code>${escapeHtml(r.service)}</code></td>
<td>${stageBadge(r.stage)}</td>
<td class="num">${escapeHtml(formatTime(r.receivedAt))}</td>
<td class="num">${r.outcome ? (took === undefined ? "–" : escapeHtml(formatDuration(took))) : '<span class="muted">running</span>'}</td>
</tr>`;
  };
  return `<div class="scroll"><table class="incidents">
<thead><tr><th>Verdict</th><th>Alert</th><th>Service</th><th>Stage</th><th class="num">Received</th><th class="num">Took</th></tr></thead>
<tbody>${rows.map(line).join("")}</tbody></table></div>`;
}

/** The row's one line, clamped to two lines by the stylesheet; the full text is its tooltip. */
function summary(r: IncidentRow): string {
  if (!r.summary) return "";
  return `<div class="summary" title="${escapeHtml(r.summary)}">${escapeHtml(withoutOutcome(r.summary, r.outcome))}</div>`;
}

const tallyOrder = ["in progress", "PASS", "REJECT", "INCONCLUSIVE", "no-patch", "failed"];

/** `5 incidents: 1 in progress, 2 PASS, 1 REJECT, 1 INCONCLUSIVE`. */
function tally(rows: readonly IncidentRow[]): string {
  const parts = tallyOrder.flatMap((kind) => {
    const n = rows.filter((r) => (r.outcome ?? "in progress") === kind).length;
    return n ? [`${n} ${kind}`] : [];
  });
  return `${rows.length} incident${rows.length === 1 ? "" : "s"}${parts.length ? `: ${parts.join(", ")}` : ""}`;
}

function time(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? 0 : ms;
}
