import type { Patch } from "../../bridge/patch.js";
import { fmtChange, fmtEstimate, fmtMs, fmtNumber, fmtP, fmtValue } from "../../verify/format.js";
import type {
  ChangedRequests,
  ErrorSignature,
  RequestGroup,
  Side,
  SideSummary,
  SloResult,
  Verdict,
  WatchResult,
  WatchStatus,
} from "../../verify/verdict.js";
import { outcomeBadge, stageBadge, statusChip, type Tone, withoutOutcome } from "./badges.js";
import { errorRateChart, latencyChart, sideColor } from "./charts.js";
import { renderDiff } from "./diff.js";
import { escapeHtml } from "./html.js";
import { refreshSeconds, renderPage } from "./layout.js";
import { markdownToHtml } from "./markdown.js";
import { elapsedMs, formatDuration, formatTime } from "./time.js";
import type { IncidentView } from "./view.js";

/**
 * One incident: header and timings, the verdict with its charts and tests, the requests and log
 * signatures that changed, the patch, the investigation report and the proof bundle. Sections whose
 * stage has not produced anything yet say so; the page reloads itself while the pipeline runs.
 */
export function renderIncident(view: IncidentView): string {
  const { row, verdict } = view;
  const concluded = Boolean(row.outcome);
  const measured = Boolean(verdict?.sides.baseline || verdict?.sides.patched);
  // [anchor, table-of-contents label, html]; an empty label keeps a section out of the contents.
  const sections: [string, string, string][] = [
    ["error", "", view.error ? errorSection(view.error) : ""],
    ["verdict", "Verdict", verdictSection(view)],
    ["measurements", "Measurements", verdict ? measurements(verdict) : ""],
    ["checks", "SLO & watchlist", verdict ? checks(verdict) : ""],
    ["requests", "Requests", verdict && measured ? requests(verdict) : ""],
    ["signatures", "Log signatures", verdict && measured ? signatures(verdict) : ""],
    ["patch", "Patch", patchSection(view.patch ?? verdictPatch(verdict), concluded)],
    ["report", "Investigation", reportSection(view.reportMarkdown, concluded)],
    ["bundle", "Proof bundle", view.bundleMarkdown ? bundleSection(row.id, view.bundleMarkdown) : ""],
  ];
  const shown = sections.filter(([, , html]) => html);
  const toc = shown.filter(([, label]) => label).map(([id, label]) => `<a href="#${id}">${label}</a>`);
  return renderPage({
    title: `${row.alertName} · ${row.service} · fixloop`,
    body: [header(view, toc), ...shown.map(([, , html]) => html)].join("\n"),
    refreshSeconds: concluded ? undefined : refreshSeconds,
  });
}

function header(view: IncidentView, toc: string[]): string {
  const { row } = view;
  const took = elapsedMs(row.receivedAt, row.concludedAt);
  const facts = [
    `service <b><code>${escapeHtml(row.service)}</code></b>`,
    `stage ${stageBadge(row.stage)}`,
    `received <b>${escapeHtml(formatTime(row.receivedAt))}</b>`,
    row.concludedAt ? `concluded <b>${escapeHtml(formatTime(row.concludedAt))}</b>` : "",
    took === undefined ? "" : `took <b>${escapeHtml(formatDuration(took))}</b>`,
  ].filter(Boolean);
  const stages = view.stageTimes.map((s) => {
    const ms = elapsedMs(s.startedAt, s.finishedAt);
    const state = s.finishedAt ? (ms === undefined ? "" : formatDuration(ms)) : "running";
    return `<li${s.finishedAt ? "" : ' class="running"'}><b>${escapeHtml(s.stage)}</b><span class="muted">${escapeHtml(state)}</span></li>`;
  });
  return `<section class="card" id="top">
<div class="crumbs"><a href="/">Incidents</a> / <span class="mono">${escapeHtml(row.id)}</span></div>
<div class="title-row"><h1>${escapeHtml(row.alertName)}</h1>${outcomeBadge(row)}</div>
<div class="subtitle">${facts.map((f) => `<span>${f}</span>`).join("")}</div>
${row.summary && !view.verdict ? `<p>${escapeHtml(row.summary)}</p>` : ""}
${stages.length ? `<ol class="stages" aria-label="stage timings">${stages.join("")}</ol>` : ""}
<nav class="toc" aria-label="sections">${toc.join("")}</nav>
</section>`;
}

function errorSection(error: string): string {
  return `<section class="card error-box" id="error"><h2>The pipeline failed</h2><pre>${escapeHtml(error)}</pre></section>`;
}

function verdictSection(view: IncidentView): string {
  const v = view.verdict;
  if (!v) {
    const why =
      view.row.outcome === "no-patch"
        ? "No verdict: no candidate patch was produced, so there was nothing to verify."
        : view.row.outcome
          ? "No verdict: the pipeline ended before verification."
          : "Not verified yet: this page reloads while the pipeline runs.";
    return `<section class="card" id="verdict"><h2>Verdict</h2><p class="empty">${why}</p></section>`;
  }
  const reasons = v.reasons.map((r) => `<li><code>${escapeHtml(r.code)}</code>${escapeHtml(r.message)}</li>`);
  return `<section class="card verdict ${v.outcome.toLowerCase()}" id="verdict">
<div class="verdict-head">${outcomeBadge({ outcome: v.outcome, stage: view.row.stage }, "big")}<p class="headline">${escapeHtml(withoutOutcome(v.headline, v.outcome))}</p></div>
<p class="rationale">${escapeHtml(v.rationale)}</p>
<h3>Reasons</h3>
${reasons.length ? `<ul class="reasons">${reasons.join("")}</ul>` : '<p class="empty">None recorded.</p>'}
${runFacts(v)}
</section>`;
}

function runFacts(v: Verdict): string {
  const r = v.run;
  const facts: [string, string][] = [
    ["runner", `${escapeHtml(r.runner)}: <code>${escapeHtml(r.identity.command.join(" "))}</code>`],
    ...r.identity.downstreams.map((d): [string, string] => [
      `downstream ${escapeHtml(d.name)}`,
      `<code>${escapeHtml(d.envVar)}</code> → ${escapeHtml(d.url)} (real, through a recording proxy per side)`,
    ]),
    [
      "requests per side",
      `${r.requestsPerSide} (batches ${escapeHtml(r.batches.join(" → ") || "none")}; initial ${r.initialRequests}, cap ${r.maxRequests})`,
    ],
    ["seed · concurrency · timeout", `${r.seed} · ${r.concurrency} · ${escapeHtml(fmtMs(r.timeoutMs))}`],
    [
      "α",
      `${fmtNumber(r.alpha.family)} family-wise; ${r.alpha.looks} look(s) → ${fmtNumber(r.alpha.perLook)} per look, ${fmtNumber(r.alpha.perWatchTest)} per watch test`,
    ],
    ["generated", `${escapeHtml(formatTime(v.generatedAt))} in ${escapeHtml(formatDuration(v.durationMs))}`],
    ["logs", `<code>${escapeHtml(r.logDir)}</code>`],
  ];
  return `<details class="run"><summary>How it was measured</summary><dl class="facts">${facts.map(([k, val]) => `<dt>${k}</dt><dd>${val}</dd>`).join("")}</dl></details>`;
}

function measurements(v: Verdict): string {
  return `<section class="card" id="measurements"><h2>Measurements</h2>
<div class="charts">${latencyChart(v.sides, v.slo)}${errorRateChart(v.sides, v.slo)}</div>
${signalsTable(v)}
</section>`;
}

function signalsTable(v: Verdict): string {
  const { baseline, patched } = v.sides;
  if (!baseline && !patched) return "";
  const cell = (s: SideSummary | undefined, f: (s: SideSummary) => string) => (s ? f(s) : "–");
  const row = (label: string, f: (s: SideSummary) => string) =>
    `<tr><td>${label}</td><td class="num">${cell(baseline, f)}</td><td class="num">${cell(patched, f)}</td></tr>`;
  const quantiles = Object.keys(baseline?.latency?.quantilesMs ?? patched?.latency?.quantilesMs ?? {});
  const rows = [
    row("requests", (s) => String(s.requests)),
    row("outcomes", (s) =>
      escapeHtml(
        Object.entries(s.outcomes)
          .map(([k, n]) => `${k} × ${n}`)
          .join(", ") || "–",
      ),
    ),
    row("error rate", (s) => escapeHtml(fmtEstimate(s.errorRate, "ratio"))),
    ...quantiles.map((q) =>
      row(`${escapeHtml(q)} latency`, (s) => escapeHtml(fmtEstimate(s.latency?.quantilesMs[q], "ms"))),
    ),
    row("mean / max latency", (s) =>
      s.latency ? escapeHtml(`${fmtMs(s.latency.meanMs)} / ${fmtMs(s.latency.maxMs)}`) : "–",
    ),
    row("throughput", (s) => `${escapeHtml(fmtNumber(s.throughputRps))} req/s`),
    row("peak RSS", (s) => (s.peakRssBytes ? `${escapeHtml(fmtNumber(s.peakRssBytes / 1048576))} MiB` : "–")),
    row("crashed", (s) => (s.crashed ? statusChip("crashed", "bad") : "no")),
  ];
  const interval = (baseline ?? patched)?.errorRate.interval;
  return `<h3>Signals</h3><div class="scroll"><table class="signals">
<thead><tr><th>signal</th>${sideHeader("baseline")}${sideHeader("patched")}</tr></thead>
<tbody>${rows.join("")}</tbody></table></div>
${interval ? `<p class="muted small">Brackets: two-sided intervals (${escapeHtml(interval)} for rates, order statistics for latency quantiles).</p>` : ""}`;
}

function sideHeader(side: Side): string {
  return `<th class="num"><span class="dot" style="background:${sideColor[side]}"></span>${side}</th>`;
}

const watchTone: Record<WatchStatus, Tone> = { ok: "good", regressed: "bad", undetermined: "unsure" };
const sloTone: Record<string, Tone> = {
  cleared: "good",
  healthy: "good",
  violated: "bad",
  reproduced: "info",
  undetermined: "unsure",
};

function checks(v: Verdict): string {
  const rows = [...(v.slo ? [sloRow(v.slo)] : []), ...v.watch.flatMap((w) => watchRows(w))];
  const table = rows.length
    ? `<div class="scroll"><table class="checks">
<thead><tr><th>signal</th><th class="num">baseline</th><th class="num">patched</th><th>test</th><th class="num">p-value</th><th>status</th></tr></thead>
<tbody>${rows.join("")}</tbody></table></div>`
    : '<p class="empty">The candidates never ran, so nothing was checked.</p>';
  return `<section class="card" id="checks"><h2>SLO and watchlist</h2>${table}</section>`;
}

function sloRow(slo: SloResult): string {
  const t = slo.improvement;
  return `<tr>
<td><b>SLO</b> <code>${escapeHtml(slo.condition)}</code><div class="muted small">baseline must reproduce the violation; the patched side must clear it with confidence</div></td>
<td class="num">${escapeHtml(fmtEstimate(slo.baseline.estimate, slo.unit))}<br>${statusChip(slo.baseline.status, sloTone[slo.baseline.status] ?? "unsure")}</td>
<td class="num">${escapeHtml(fmtEstimate(slo.patched.estimate, slo.unit))}</td>
<td class="small">${t ? escapeHtml(t.test) : "confidence bound vs threshold"}</td>
<td class="num">${t ? pCell(t.pValue, t.alpha) : "–"}</td>
<td>${statusChip(slo.patched.status, sloTone[slo.patched.status] ?? "unsure")}</td>
</tr>`;
}

function watchRows(w: WatchResult, sub = false): string[] {
  const value = (x: number | undefined) => (x === undefined ? "–" : escapeHtml(fmtValue(x, w.unit)));
  const change = w.change && `change ${fmtChange(w.change.value, w.unit)}`;
  const tolerance = w.tolerance === undefined ? undefined : `tolerance ${fmtChange(w.tolerance, w.unit)}`;
  const changeLine = [change, tolerance].filter(Boolean).join(", ");
  const label = sub ? `↳ ${escapeHtml(w.subject ?? w.spec)}` : `<code>${escapeHtml(w.spec)}</code>`;
  const row = `<tr${sub ? ' class="sub"' : ""}>
<td>${label}<div class="muted small">${escapeHtml(w.summary)}</div></td>
<td class="num">${value(w.baseline)}</td>
<td class="num">${value(w.patched)}${changeLine ? `<div class="muted small">${escapeHtml(changeLine)}</div>` : ""}</td>
<td class="small">${w.test ? escapeHtml(w.test.test) : "–"}</td>
<td class="num">${w.test ? pCell(w.test.pValue, w.test.alpha) : "–"}</td>
<td>${statusChip(w.status, watchTone[w.status])}</td>
</tr>`;
  return [row, ...(w.details ?? []).flatMap((d) => watchRows(d, true))];
}

function pCell(p: number, alpha: number): string {
  const shown = Number.isFinite(p) ? fmtP(p).replace(/^p = /, "") : "–";
  return `${escapeHtml(shown)}<div class="muted small">α ${escapeHtml(fmtNumber(alpha, 2))}</div>`;
}

function requests(v: Verdict): string {
  return `<section class="card" id="requests"><h2>Requests whose outcome changed</h2>
${changedTable("Newly failing: pass on the baseline, fail patched", v.newlyFailing, "No request that succeeded on the baseline failed with the patch.")}
${changedTable("Fixed: fail on the baseline, pass patched", v.newlyPassing, "No request that failed on the baseline succeeded with the patch.")}
</section>`;
}

/** Groups shown before the rest folds away: enough to see the pattern, short enough to scroll past. */
const visibleGroups = 8;

function changedTable(title: string, changed: ChangedRequests, none: string): string {
  const head = `<h3>${escapeHtml(title)}: ${changed.total}</h3>`;
  if (!changed.total) return `${head}<p class="empty">${escapeHtml(none)}</p>`;
  const listed = changed.groups.reduce((a, g) => a + g.count, 0);
  const shared = changed.sharedValues.length
    ? `<p class="small">Shared by most of them: ${changed.sharedValues
        .map(
          (s) =>
            `<code>${escapeHtml(`${s.variable}=${s.value}`)}</code> (${s.changed} of ${s.total} such requests)`,
        )
        .join(", ")}.</p>`
    : "";
  const table = (groups: RequestGroup[]) =>
    `<div class="scroll"><table class="changed">
<thead><tr><th class="num">count</th><th>request</th><th class="num">baseline → patched</th><th class="num">first at</th></tr></thead>
<tbody>${groups
      .map(
        (g) =>
          `<tr><td class="num">${g.count}×</td><td><code>${escapeHtml(g.description)}</code></td><td class="num">${escapeHtml(g.baseline)} → ${escapeHtml(g.patched)}</td><td class="num">#${g.firstIndex}</td></tr>`,
      )
      .join("")}</tbody></table></div>`;
  const rest = changed.groups.slice(visibleGroups);
  const folded = rest.length
    ? `<details class="fold"><summary>${rest.length} more group${rest.length === 1 ? "" : "s"}</summary>${table(rest)}</details>`
    : "";
  const unlisted =
    changed.total > listed
      ? `<p class="muted small">${changed.total - listed} more requests not listed.</p>`
      : "";
  return `${head}${shared}${table(changed.groups.slice(0, visibleGroups))}${folded}${unlisted}`;
}

function signatures(v: Verdict): string {
  const list = (title: string, sigs: ErrorSignature[], none: string) =>
    `<h3>${escapeHtml(title)}: ${sigs.length}</h3>` +
    (sigs.length
      ? sigs
          .map(
            (s) =>
              `<div class="signature"><span class="mono">${s.count}×</span> <code>${escapeHtml(s.template)}</code><pre>${escapeHtml(s.sample)}</pre></div>`,
          )
          .join("")
      : `<p class="empty">${escapeHtml(none)}</p>`);
  return `<section class="card" id="signatures"><h2>Error log signatures</h2>
${list("New in the patched run", v.errorSignatures.new, "The patched log has no error template the baseline's lacks.")}
${list("Gone in the patched run", v.errorSignatures.resolved, "Every error template of the baseline's log is still there.")}
</section>`;
}

function verdictPatch(v: Verdict | undefined): Patch | undefined {
  if (!v || v.patch.empty) return undefined;
  const { strategy, diff, baseCommit, files, linesAdded, linesRemoved } = v.patch;
  return { strategy, diff, baseCommit, files, linesAdded, linesRemoved, rationale: "" };
}

function patchSection(patch: Patch | undefined, concluded: boolean): string {
  if (!patch)
    return `<section class="card" id="patch"><h2>Patch</h2><p class="empty">${concluded ? "No patch was produced." : "Not produced yet."}</p></section>`;
  return `<section class="card" id="patch"><h2>Patch</h2>
<p class="subtitle"><span>strategy <b><code>${escapeHtml(patch.strategy)}</code></b></span><span>base <b class="mono">${escapeHtml(patch.baseCommit.slice(0, 12))}</b></span><span>${patch.files.map((f) => `<code>${escapeHtml(f)}</code>`).join(" ") || "no files"}</span><span><b style="color:var(--pass)">+${patch.linesAdded}</b> <b style="color:var(--reject)">−${patch.linesRemoved}</b></span></p>
${patch.rationale ? `<p>${escapeHtml(patch.rationale)}</p>` : ""}
${patch.diff.trim() ? renderDiff(patch.diff) : '<p class="empty">The diff is empty.</p>'}
<p class="muted small">Never applied to the service's repository: fixloop only proposes it.</p>
</section>`;
}

function reportSection(markdown: string | undefined, concluded: boolean): string {
  const body = markdown
    ? `<article class="markdown">${markdownToHtml(markdown)}</article>`
    : `<p class="empty">${concluded ? "No investigation report." : "The investigation is running."}</p>`;
  return `<section class="card" id="report"><h2>Investigation report</h2>${body}</section>`;
}

function bundleSection(id: string, markdown: string): string {
  const href = `/api/incidents/${encodeURIComponent(id)}/bundle.md`;
  return `<section class="card" id="bundle"><h2>Proof bundle</h2>
<p>The verdict with every number, test and interval it rests on, as one markdown file: <a href="${escapeHtml(href)}">bundle.md</a>.</p>
<details class="fold"><summary>Show it here</summary><article class="markdown">${markdownToHtml(markdown)}</article></details>
</section>`;
}
