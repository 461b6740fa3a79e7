import { describe, expect, it } from "vitest";
import { renderIncidentList } from "../../../src/server/ui/incident-list.js";
import { renderIncident } from "../../../src/server/ui/incident-page.js";
import type { IncidentRow } from "../../../src/server/ui/view.js";
import { incidentView, listRows, runningView } from "./fixtures.js";

/** The HTML from a section's `id` attribute to the end of that section. */
function section(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  if (start < 0) return "";
  return html.slice(start, html.indexOf("</section>", start));
}

describe("renderIncidentList", () => {
  it("lists incidents newest first, linking each one, with outcome and stage badges", () => {
    const html = renderIncidentList(listRows);
    const links = [...html.matchAll(/<a class="alert" href="([^"]+)"/g)].map((m) => m[1]);
    expect(links).toEqual([
      "/incidents/inc-0004",
      "/incidents/inc-0003",
      "/incidents/inc-0002",
      "/incidents/inc-0001",
      "/incidents/inc-0000",
    ]);
    expect(html).toContain('<span class="badge pass">PASS</span>');
    expect(html).toContain('<span class="badge reject">REJECT</span>');
    expect(html).toContain('<span class="badge inconclusive">INCONCLUSIVE</span>');
    expect(html).toContain('<span class="badge progress" title="in progress">verifying…</span>');
    expect(html).toContain('<span class="stage">patching</span>');
    expect(html).toContain("5 incidents: 1 in progress, 1 PASS, 1 REJECT, 1 INCONCLUSIVE, 1 no-patch");
    expect(html).toContain("1 min 12 s");
  });

  it("reloads every 3 s only while an incident is in progress", () => {
    expect(renderIncidentList(listRows)).toContain('<meta http-equiv="refresh" content="3">');
    const done = listRows.filter((r) => r.outcome);
    expect(renderIncidentList(done)).not.toContain("http-equiv");
  });

  it("says so when there is no incident, and escapes what alerts carry", () => {
    expect(renderIncidentList([])).toContain("No incidents yet");
    const row: IncidentRow = {
      id: 'a"b/<c>',
      alertName: "<b>Boom</b>",
      service: "svc&co",
      stage: "<i>x</i>",
      receivedAt: "not a date",
      summary: "<script>alert(1)</script>",
    };
    const html = renderIncidentList([row]);
    expect(html).not.toMatch(/<script|<b>Boom|<i>x/);
    expect(html).toContain('href="/incidents/a%22b%2F%3Cc%3E"');
    expect(html).toContain("&lt;b&gt;Boom&lt;/b&gt;");
    expect(html).toContain("svc&amp;co");
    expect(html).toContain("not a date");
  });
});

describe("renderIncident", () => {
  it("PASS: header, verdict with rationale and reasons, both charts, checks, patch, report and bundle link", () => {
    const view = incidentView("pass");
    const html = renderIncident(view);
    expect(html).not.toMatch(/NaN|Infinity/);
    expect(html).not.toContain("http-equiv");
    const header = section(html, "top");
    expect(header).toContain("<h1>CartHighErrorRate</h1>");
    expect(header).toContain('<span class="badge pass">PASS</span>');
    expect(header).toContain("2026-11-01 10:05:58 UTC");
    expect(header).toContain("took <b>1 min 33 s</b>");
    expect(header).toMatch(/<b>verifying<\/b><span class="muted">41.4 s<\/span>/);

    const verdict = section(html, "verdict");
    expect(html).toContain(`<section class="card verdict pass" id="verdict">`);
    expect(verdict).toContain("Replayed the same 400 requests");
    expect(verdict).toContain("<code>slo-cleared</code>");
    expect(verdict).toContain("<code>python3 app.py</code>");

    const measurements = section(html, "measurements");
    expect(measurements).toContain('id="chart-latency"');
    expect(measurements).toContain('id="chart-errors"');
    expect(measurements.match(/<svg /g)).toHaveLength(2);
    expect(measurements).toMatch(
      /error rate<\/td><td class="num">10.3% \[7.46%, 13.6%\]<\/td><td class="num">0% \[0%, 0.918%\]/,
    );

    const checks = section(html, "checks");
    for (const head of ["signal", "baseline", "patched", "test", "p-value", "status"])
      expect(checks).toContain(`>${head}</th>`);
    expect(checks).toContain("<code>error_rate &gt; 0.05</code>");
    expect(checks).toContain('<span class="chip info">reproduced</span>');
    expect(checks).toContain('<span class="chip good">cleared</span>');
    expect(checks).toContain("<code>p99_ms:+50%</code>");
    expect(checks).toContain("exact McNemar, one-sided (patched fails less)");
    expect(checks).toContain("change −10.3 pts, tolerance +1 pts");
    expect(checks).not.toContain("chip bad");

    const requests = section(html, "requests");
    expect(requests).toContain("Newly failing: pass on the baseline, fail patched: 0");
    expect(requests).toMatch(/Fixed: fail on the baseline, pass patched: 41/);
    expect(requests).toContain("<code>shape=3</code>");
    expect(section(html, "signatures")).toContain("Gone in the patched run: 1");

    const patch = section(html, "patch");
    expect(patch).toContain('<span class="del">-    if shape == 3:</span>');
    expect(patch).toContain(
      '<span class="add">+    return BASE_PRICES.get(shape, BASE_PRICES[0]) * item.quantity</span>',
    );
    expect(patch).toContain('<span class="hunk">@@ -40,9 +40,7 @@ def unit_price(item):</span>');
    expect(patch).toContain("Reverts the hunk of 4e1c2d9");

    const report = section(html, "report");
    expect(report).toContain("<h1>CartHighErrorRate on cart</h1>");
    expect(report).toMatch(/<details><summary>41 × ValueError/);
    expect(report).toContain("<table>");
    expect(section(html, "bundle")).toContain('href="/api/incidents/inc-pass/bundle.md"');
  });

  it("REJECT on latency: the regressed watch and the new error signature are shown as such", () => {
    const html = renderIncident(incidentView("reject-latency"));
    expect(html).not.toMatch(/NaN|Infinity/);
    expect(section(html, "verdict")).toContain('<span class="badge reject big">REJECT</span>');
    expect(section(html, "verdict")).toMatch(/<code>regression<\/code>p50_ms:\+20% regressed/);
    const checks = section(html, "checks");
    const p50 = checks.slice(checks.indexOf("<code>p50_ms:+20%</code>"));
    expect(p50.slice(0, p50.indexOf("</tr>"))).toContain('<span class="chip bad">regressed</span>');
    expect(p50).toMatch(/change \+30\d ms/);
    expect(section(html, "signatures")).toMatch(
      /New in the patched run: 1<\/h3><div class="signature"><span class="mono">10×<\/span>/,
    );
    expect(section(html, "measurements")).toContain(">300 ms</text>");
  });

  it("INCONCLUSIVE with nothing measured: charts say 'no data' and the empty sections are left out", () => {
    const html = renderIncident(incidentView("inconclusive-start-failed"));
    expect(html).not.toMatch(/NaN|Infinity/);
    expect(html).not.toContain("<svg");
    expect(html.match(/No data:/g)).toHaveLength(2);
    expect(section(html, "verdict")).toContain("<code>start-failed</code>");
    expect(section(html, "checks")).toContain("The candidates never ran");
    expect(html).not.toContain('id="requests"');
    expect(html).not.toContain('href="#requests"');
    expect(html).toContain('href="#measurements"');
  });

  it("while the pipeline runs: a progress badge, the running stage, placeholders, and a reload", () => {
    const html = renderIncident(runningView());
    expect(html).toContain('<meta http-equiv="refresh" content="3">');
    expect(html).toContain('<span class="badge progress" title="in progress">verifying…</span>');
    expect(html).toMatch(/<li class="running"><b>verifying<\/b><span class="muted">running<\/span>/);
    expect(section(html, "verdict")).toContain("Not verified yet");
    expect(html).toContain("investigation: p99 latency 840 ms");
    expect(html).not.toContain('id="bundle"');
  });

  it("a failed pipeline shows its error first; no patch says so", () => {
    const base = runningView();
    const html = renderIncident({
      ...base,
      row: { ...base.row, outcome: "failed", stage: "patching", concludedAt: "2026-11-01T11:00:09.000Z" },
      patch: undefined,
      error: "bridge: git apply failed:\n<stdin>:12: trailing whitespace",
    });
    expect(html.indexOf('id="error"')).toBeLessThan(html.indexOf('id="verdict"'));
    expect(section(html, "error")).toContain("&lt;stdin&gt;:12: trailing whitespace");
    expect(html).toContain('<span class="badge failed">failed</span>');
    expect(section(html, "patch")).toContain("No patch was produced.");
    expect(html).not.toContain("http-equiv");
  });
});
