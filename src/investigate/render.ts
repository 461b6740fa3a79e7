import type { Report } from "./report.js";

/**
 * The report as markdown, with the same sections in the same order every time: Summary, Evidence,
 * Suspect change, Recommendation, Runbook, Missing evidence, Evidence log.
 */
export function renderMarkdown(report: Report): string {
  const out: string[] = [];
  const { alert } = report;
  out.push(`# ${alert.name} on ${report.service}`);
  out.push(
    `Alert started ${alert.startsAt}${report.window ? `; window ${report.window.start} → ${report.window.end}` : ""}. ` +
      `Confidence ${Math.round(report.confidence * 100)}% (${level(report.confidence)}). Generated ${report.generatedAt} by the deterministic engine${report.model ? ` and ${report.model}` : ""}.`,
  );

  out.push("## Summary", report.summary);

  out.push("## Evidence");
  if (report.slo) out.push(`**SLO** (${report.slo.condition}): ${report.slo.description}.`);
  const m = report.evidence?.metrics;
  if (m?.signal) {
    out.push(
      `**Alert expression:** ${round(m.signal.value)} now${m.signal.peak !== undefined ? `, peak ${round(m.signal.peak)}` : ""} (\`${m.signal.expr.replace(/\s+/g, " ")}\`).`,
    );
  }
  if (m && (m.requestRate !== undefined || m.p99Ms !== undefined)) {
    const parts = [
      m.requestRate !== undefined ? `${m.requestRate.toFixed(1)} req/s` : "",
      m.errorRatio !== undefined ? `${(m.errorRatio * 100).toFixed(1)}% 5xx` : "",
      m.p50Ms !== undefined ? `p50 ${Math.round(m.p50Ms)} ms` : "",
      m.p99Ms !== undefined ? `p99 ${Math.round(m.p99Ms)} ms` : "",
    ].filter(Boolean);
    out.push(`**Traffic in the window:** ${parts.join(", ")}.`);
  }
  if (m?.breakdown?.rows.length) {
    const labels = [...new Set(m.breakdown.rows.flatMap((r) => Object.keys(r.labels)))];
    out.push(
      `Breakdown (\`${m.breakdown.expr}\`):`,
      [
        `| ${[...labels, "req/s"].join(" | ")} |`,
        `|${labels.map(() => "---").join("|")}|---:|`,
        ...m.breakdown.rows.map(
          (r) => `| ${[...labels.map((l) => r.labels[l] ?? ""), r.rate.toFixed(2)].join(" | ")} |`,
        ),
      ].join("\n"),
    );
  }
  if (report.requestLog) {
    const r = report.requestLog;
    out.push(`**Access log in the window:** ${r.total} requests, ${r.failing} failed (status ≥ 500).`);
  }
  const sig = report.errorSignature;
  if (sig) {
    out.push(
      `**Top error:** \`${sig.template}\` — ${sig.countInWindow} in the window, ${sig.countBefore} before.`,
      `Sample:\n\n${fence(sig.sample)}`,
    );
  }
  if (report.failingAttributes.length) {
    out.push(
      "**Failing attributes:**",
      [
        "| failures have | failing | succeeding |",
        "|---|---:|---:|",
        ...report.failingAttributes.map(
          (a) =>
            `| ${escapeCell(a.trait ?? a.description)} | ${a.failing}/${a.failingTotal} | ${a.succeeding}/${a.succeedingTotal} |`,
        ),
      ].join("\n"),
    );
  }
  for (const d of report.downstream) out.push(`**Downstream ${d.service}** (${d.verdict}): ${d.description}`);
  const svc = report.evidence?.service;
  if (svc) {
    out.push(
      `**Service state:** ${svc.running ? `running, pid ${svc.pid}, up ${svc.uptimeSeconds} s, ${svc.restarts} restarts` : "not running"}.`,
    );
  }
  out.push(
    "**Findings:**",
    report.findings.map((f) => `- [${f.analyzer}, ${Math.round(f.confidence * 100)}%] ${f.title}`).join("\n"),
  );
  for (const f of report.findings.filter((x) => x.detail.includes("\n|")))
    out.push(`<details><summary>${f.title}</summary>\n\n${f.detail}\n\n</details>`);

  out.push("## Suspect change");
  const s = report.suspectChange;
  if (s) {
    out.push(
      `Commit \`${s.commit}\` — "${s.subject}" by ${s.author}, ${s.authorDate}.`,
      `Why: ${s.reason}.${s.files.length ? ` Files changed: ${s.files.join(", ")}.` : ""}`,
      s.hunk ? fence(s.hunk, "diff") : "(hunk unavailable)",
    );
  } else out.push(report.findings.find((f) => f.analyzer === "suspect-change")?.detail || "None found.");

  out.push("## Recommendation", report.recommendation);

  out.push("## Runbook");
  if (report.runbook) {
    out.push(
      `${report.runbook.title} (\`${report.runbook.path}\`)`,
      report.runbook.steps.map((step, i) => `${i + 1}. ${step}`).join("\n") || "(no steps listed)",
    );
  } else out.push("None matched.");

  out.push(
    "## Missing evidence",
    report.missingEvidence.length ? report.missingEvidence.map((m) => `- ${m}`).join("\n") : "None.",
  );

  out.push(
    "## Evidence log",
    [
      "| source | action | ms | ok | note |",
      "|---|---|---:|---|---|",
      ...report.evidenceLog.map(
        (r) =>
          `| ${r.source} | \`${escapeCell(r.action.replace(/\s+/g, " "))}\` | ${r.durationMs} | ${r.ok ? "yes" : "no"} | ${escapeCell(r.note ?? "")} |`,
      ),
    ].join("\n"),
  );
  return `${out.join("\n\n")}\n`;
}

function round(n: number): string {
  return String(Number(n.toPrecision(3)));
}

function level(confidence: number): string {
  return confidence >= 0.7 ? "high" : confidence >= 0.4 ? "medium" : "low";
}

function fence(text: string, lang = ""): string {
  const ticks = text.includes("```") ? "````" : "```";
  return `${ticks}${lang}\n${text}\n${ticks}`;
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}
