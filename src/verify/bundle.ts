import { fmtChange, fmtEstimate, fmtMs, fmtNumber, fmtP, fmtValue } from "./format.js";
import type { ChangedRequests, SideSummary, Verdict, WatchResult } from "./verdict.js";

/** The proof bundle as markdown: verdict, rationale, numbers with intervals, tests, failing requests, patch. */
export function renderBundle(v: Verdict): string {
  const out: string[] = [];
  out.push(`# Verdict: ${v.outcome}`, "", `**${v.headline}**`, "", v.rationale, "");
  out.push(
    `Service \`${v.service}\`${v.alert ? `, alert \`${v.alert}\`` : ""}; generated ${v.generatedAt} in ${(v.durationMs / 1000).toFixed(1)} s.`,
    "",
  );
  out.push("## Reasons", "", ...v.reasons.map((r) => `- **${r.code}**: ${r.message}`), "");
  if (v.slo) out.push(...sloSection(v), "");
  const { baseline, patched } = v.sides;
  if (baseline && patched) out.push(...signalsSection(baseline, patched), "");
  if (v.watch.length) out.push(...watchSection(v.watch), "");
  out.push(...changedSection("Newly failing requests (pass on baseline, fail patched)", v.newlyFailing), "");
  out.push(...changedSection("Fixed requests (fail on baseline, pass patched)", v.newlyPassing), "");
  out.push(...signaturesSection(v), "");
  out.push(...runSection(v), "");
  out.push(...patchSection(v));
  return `${out.join("\n").trimEnd()}\n`;
}

function sloSection(v: Verdict): string[] {
  const slo = v.slo;
  if (!slo) return [];
  const lines = [
    `## SLO \`${slo.condition}\``,
    "",
    "| | baseline | patched |",
    "|---|---|---|",
    `| ${slo.signal} [interval] | ${fmtEstimate(slo.baseline.estimate, slo.unit)} | ${fmtEstimate(slo.patched.estimate, slo.unit)} |`,
    `| interval | ${slo.baseline.estimate?.interval ?? "–"} | ${slo.patched.estimate?.interval ?? "–"} |`,
    `| status | ${slo.baseline.status} | ${slo.patched.status} |`,
  ];
  if (slo.improvement) {
    const t = slo.improvement;
    lines.push("", `Patched better than baseline: ${t.test}, ${fmtP(t.pValue)} (α = ${fmtNumber(t.alpha)}).`);
  }
  return lines;
}

function signalsSection(b: SideSummary, p: SideSummary): string[] {
  const row = (name: string, f: (s: SideSummary) => string) => `| ${name} | ${f(b)} | ${f(p)} |`;
  const rows = [
    row("pid / log", (s) => `${s.pid} / \`${s.logFile}\``),
    row("requests", (s) => String(s.requests)),
    row("outcomes", (s) =>
      Object.entries(s.outcomes)
        .map(([k, n]) => `${k} × ${n}`)
        .join(", "),
    ),
    row("error rate", (s) => fmtEstimate(s.errorRate, "ratio")),
  ];
  const labels = Object.keys(b.latency?.quantilesMs ?? p.latency?.quantilesMs ?? {});
  for (const label of labels) rows.push(row(label, (s) => fmtEstimate(s.latency?.quantilesMs[label], "ms")));
  rows.push(
    row("mean / max", (s) => (s.latency ? `${fmtMs(s.latency.meanMs)} / ${fmtMs(s.latency.maxMs)}` : "–")),
    row("throughput", (s) => `${fmtNumber(s.throughputRps)} req/s`),
    row("peak RSS", (s) => (s.peakRssBytes ? `${fmtNumber(s.peakRssBytes / 1048576)} MiB` : "–")),
    row("crashed", (s) => (s.crashed ? "**yes**" : "no")),
  );
  b.downstreams.forEach((d, i) => {
    const of = (s: SideSummary) => s.downstreams[i];
    rows.push(
      row(`${d.name}: calls/request`, (s) => fmtNumber(of(s)?.callsPerRequest)),
      row(`${d.name}: error rate`, (s) => fmtEstimate(of(s)?.errorRate, "ratio")),
      row(
        `${d.name}: failures (5xx / conn / abandoned)`,
        (s) => `${of(s)?.serverErrors ?? 0} / ${of(s)?.connectionFailures ?? 0} / ${of(s)?.abandoned ?? 0}`,
      ),
      row(`${d.name}: p50 / p99`, (s) => `${fmtMs(of(s)?.p50Ms)} / ${fmtMs(of(s)?.p99Ms)}`),
    );
  });
  const interval = b.errorRate.interval.replace(/^Clopper-Pearson /, "");
  return [
    "## Signals",
    "",
    `Intervals are two-sided ${interval} (rates: Clopper-Pearson; latency quantiles: order statistics).`,
    "",
    "| signal | baseline | patched |",
    "|---|---|---|",
    ...rows,
  ];
}

function watchSection(watch: WatchResult[]): string[] {
  const lines = [
    "## Watchlist",
    "",
    "| watch | status | baseline | patched | change | tolerance | test | p | α |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  const row = (w: WatchResult, indent = "") =>
    `| ${indent}${w.subject && indent ? w.subject : `\`${w.spec}\``} | ${w.status === "regressed" ? "**regressed**" : w.status} | ${fmtValue(w.baseline, w.unit)} | ${fmtValue(w.patched, w.unit)} | ${w.change ? fmtChange(w.change.value, w.unit) : "–"} | ${w.tolerance === undefined ? "–" : fmtChange(w.tolerance, w.unit)} | ${w.test?.test ?? "–"} | ${w.test ? fmtP(w.test.pValue) : "–"} | ${w.test ? fmtNumber(w.test.alpha, 2) : "–"} |`;
  for (const w of watch) {
    lines.push(row(w));
    for (const d of w.details ?? []) lines.push(row(d, "↳ "));
  }
  lines.push("", ...watch.map((w) => `- \`${w.spec}\`: ${w.summary}`));
  return lines;
}

function changedSection(title: string, changed: ChangedRequests): string[] {
  const lines = [`## ${title}: ${changed.total}`, ""];
  if (!changed.total) return [...lines, "None."];
  for (const g of changed.groups)
    lines.push(
      `- ${g.count} × \`${g.description}\`: ${g.baseline} → ${g.patched} (first at #${g.firstIndex})`,
    );
  if (changed.total > changed.groups.reduce((a, g) => a + g.count, 0)) lines.push("- …");
  if (changed.sharedValues.length) {
    lines.push(
      "",
      `Shared by most of them: ${changed.sharedValues.map((s) => `\`${s.variable}=${s.value}\` (${s.changed} of ${s.total} such requests)`).join(", ")}.`,
    );
  }
  return lines;
}

function signaturesSection(v: Verdict): string[] {
  const lines = ["## Error log signatures", ""];
  const list = (title: string, sigs: Verdict["errorSignatures"]["new"]) => {
    lines.push(`### ${title}: ${sigs.length}`, "");
    if (!sigs.length) lines.push("None.", "");
    for (const s of sigs)
      lines.push(`- ${s.count} × \`${s.template}\``, "", "  ```", ...indent(s.sample), "  ```", "");
  };
  list("New in the patched run", v.errorSignatures.new);
  list("Gone in the patched run", v.errorSignatures.resolved);
  return lines;
}

function runSection(v: Verdict): string[] {
  const r = v.run;
  return [
    "## Run",
    "",
    `- runner: ${r.runner}; command \`${r.identity.command.join(" ")}\``,
    ...r.identity.downstreams.map(
      (d) => `- downstream ${d.name} (${d.envVar}) → ${d.url}, through a recording proxy per side`,
    ),
    `- requests per side: ${r.requestsPerSide} (batches ${r.batches.join(" → ") || "none"}; initial ${r.initialRequests}, cap ${r.maxRequests})`,
    `- seed ${r.seed}, concurrency ${r.concurrency}, timeout ${fmtMs(r.timeoutMs)}`,
    `- α ${r.alpha.family} family-wise; ${r.alpha.looks} look(s) → ${fmtNumber(r.alpha.perLook)} per look (SLO bounds are one-sided at this level), ${fmtNumber(r.alpha.perWatchTest)} per watch test`,
    `- logs: \`${r.logDir}\``,
  ];
}

function patchSection(v: Verdict): string[] {
  const p = v.patch;
  return [
    "## Patch",
    "",
    `Strategy \`${p.strategy}\`, base commit \`${p.baseCommit.slice(0, 12)}\`, ${p.files.length} file(s) (${p.files.join(", ") || "none"}), +${p.linesAdded} −${p.linesRemoved}${p.empty ? " — **empty patch**" : ""}.`,
    "",
    `${fence(p.diff)}diff`,
    p.diff.trimEnd(),
    fence(p.diff),
  ];
}

/** A code fence longer than any backtick run inside the text. */
function fence(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

function indent(text: string): string[] {
  return text.split("\n").map((l) => `  ${l}`);
}
