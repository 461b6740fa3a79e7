import { describe, expect, it } from "vitest";
import { errorRateChart, latencyChart } from "../../../src/server/ui/charts.js";
import { niceTicks } from "../../../src/server/ui/svg.js";
import type { Verdict } from "../../../src/verify/verdict.js";
import { verdictFor } from "./fixtures.js";

/** Every number in an SVG attribute, e.g. `x="12.5"` or a path's coordinates. */
function attributeNumbers(svg: string): string[] {
  return [...svg.matchAll(/\s(?:x|y|x1|x2|y1|y2|width|height|d|viewBox|transform)="([^"]*)"/g)].map(
    (m) => m[1] ?? "",
  );
}

function expectFiniteSvg(html: string): void {
  expect(html).not.toMatch(/NaN|Infinity|undefined/);
  for (const value of attributeNumbers(html))
    for (const n of value.match(/-?\d+(\.\d+)?(e-?\d+)?/g) ?? [])
      expect(Number.isFinite(Number(n))).toBe(true);
}

describe("latencyChart", () => {
  it("overlays both sides' histograms with p50/p95/p99 markers, ms ticks, % ticks and an accessible name", () => {
    const v = verdictFor("reject-latency");
    const html = latencyChart(v.sides, v.slo);
    expectFiniteSvg(html);
    expect(html).toMatch(/<svg[^>]+role="img"[^>]+aria-labelledby="chart-latency-title chart-latency-desc"/);
    expect(html).toContain(
      '<title id="chart-latency-title">Latency distribution, baseline vs patched</title>',
    );
    // Two filled areas, one per side, in the side colours.
    expect(html.match(/<path d="M/g)).toHaveLength(2);
    for (const q of ["p50", "p95", "p99"])
      expect(html.match(new RegExp(`>${q}</text>`, "g"))).toHaveLength(2);
    expect(html).toMatch(/>100 ms<\/text>/);
    expect(html).toMatch(/>300 ms<\/text>/);
    expect(html).toMatch(/>\d+%<\/text>/);
    expect(html).toContain("baseline · 400 requests");
    expect(html).toContain("patched · 400 requests");
    // The description reads the medians: the patched side is ~300 ms slower.
    const desc = /<desc[^>]*>([^<]*)<\/desc>/.exec(html)?.[1] ?? "";
    const median = (side: string) =>
      Number(new RegExp(`${side}: 400 requests, p50 ([\\d.]+) ms`).exec(desc)?.[1]);
    expect(median("patched") - median("baseline")).toBeGreaterThan(250);
  });

  it("marks a latency SLO's threshold and places the patched markers right of the baseline's", () => {
    const v = verdictFor("reject-latency");
    // The verifier adds the SLO's quantile to each side's summary when it is not p50/p95/p99.
    for (const side of [v.sides.baseline, v.sides.patched]) {
      const q = side?.latency?.quantilesMs;
      if (q?.p95) q.p90 = { ...q.p95, value: q.p95.value - 1 };
    }
    const slo = {
      ...(v.slo as NonNullable<Verdict["slo"]>),
      signal: "p90_ms",
      unit: "ms",
      threshold: 250,
      condition: "p90_ms > 250",
    };
    const html = latencyChart(v.sides, slo);
    expect(html).toContain("SLO 250 ms");
    expect(html.match(/>p90<\/text>/g)).toHaveLength(2);
    const markerX = (side: string, q: string) =>
      Number(new RegExp(`<line x1="([\\d.]+)"[^>]*><title>${side} ${q} `).exec(html)?.[1]);
    const threshold = Number(/<line x1="([\d.]+)"[^>]*><title>SLO threshold/.exec(html)?.[1]);
    expect(markerX("baseline", "p50")).toBeLessThan(threshold);
    expect(markerX("patched", "p50")).toBeGreaterThan(threshold);
  });

  it("draws the one side it has and says the other has no samples; with neither it shows a no-data note", () => {
    const v = verdictFor("pass");
    const patched = { ...(v.sides.patched as NonNullable<Verdict["sides"]["patched"]>), latency: undefined };
    const one = latencyChart({ baseline: v.sides.baseline, patched });
    expectFiniteSvg(one);
    expect(one.match(/<path d="M/g)).toHaveLength(1);
    expect(one).toContain("patched: no latency samples");

    const none = latencyChart({});
    expect(none).toContain("No data: no latency samples on either side");
    expect(none).not.toContain("<svg");
  });

  it("never writes NaN or Infinity, whatever malformed numbers it is given", () => {
    const v = verdictFor("pass");
    const base = v.sides.baseline as NonNullable<Verdict["sides"]["baseline"]>;
    const latency = base.latency as NonNullable<typeof base.latency>;
    const broken = {
      ...base,
      latency: {
        ...latency,
        quantilesMs: {
          p50: { value: Number.NaN, interval: "x" },
          p95: { value: Number.POSITIVE_INFINITY, interval: "x" },
          p99: { value: 40, lower: Number.NaN, upper: Number.POSITIVE_INFINITY, interval: "x" },
        },
        histogram: {
          edgesMs: [0, 10, 20, 30],
          counts: [Number.NaN, 5, -3],
          overflow: Number.POSITIVE_INFINITY,
        },
      },
      errorRate: { value: Number.NaN, lower: Number.NaN, upper: Number.NaN, interval: "x" },
    };
    const unordered = {
      ...base,
      latency: { ...latency, histogram: { edgesMs: [0, 20, 10], counts: [1, 1], overflow: 0 } },
      errorRate: {
        value: 0.2,
        lower: Number.NaN,
        upper: Number.POSITIVE_INFINITY,
        interval: "Clopper-Pearson 95%",
      },
    };
    const empty = { ...base, latency: { ...latency, histogram: { edgesMs: [], counts: [], overflow: 0 } } };
    for (const sides of [
      { baseline: broken, patched: unordered },
      { baseline: empty, patched: empty },
      { baseline: broken },
    ]) {
      const slo = { ...(v.slo as NonNullable<Verdict["slo"]>), threshold: Number.NaN };
      const html = latencyChart(sides, slo) + errorRateChart(sides, slo);
      expectFiniteSvg(html);
    }
    // The broken side still draws its two usable buckets and its one finite quantile.
    const html = latencyChart({ baseline: broken });
    expect(html).toContain("baseline · 5 requests");
    expect(html.match(/>p\d\d<\/text>/g)).toEqual([">p99</text>"]);
  });

  it("is deterministic: the same verdict gives the same bytes", () => {
    const a = verdictFor("pass");
    const b = verdictFor("pass");
    expect(latencyChart(a.sides, a.slo)).toBe(latencyChart(b.sides, b.slo));
    expect(errorRateChart(a.sides, a.slo)).toBe(errorRateChart(b.sides, b.slo));
  });
});

describe("errorRateChart", () => {
  it("draws a bar per side with interval whiskers, the SLO threshold line and % ticks", () => {
    const v = verdictFor("pass");
    const html = errorRateChart(v.sides, v.slo);
    expectFiniteSvg(html);
    expect(html).toMatch(/<svg[^>]+role="img"[^>]+aria-labelledby="chart-errors-title chart-errors-desc"/);
    expect(html).toContain("SLO: error_rate &gt; 5%");
    expect(html).toContain("whiskers: Clopper-Pearson 95% interval");
    expect(html).toMatch(/>10.3%<\/text>/);
    expect(html).toMatch(/>5%<\/text>/);
    // requests and the downstream's calls, two sides each.
    expect(html.match(/<rect x=/g)?.length).toBe(2 + 4);
    expect(html).toContain(">catalog calls</text>");
    // The threshold line sits at 5% on the same scale as the ticks.
    const tickY =
      Number(/<text x="\d+" y="([\d.]+)" text-anchor="end" fill="#6c757d">5%<\/text>/.exec(html)?.[1]) - 4;
    const lineY = Number(/<line x1="[\d.]+" y1="([\d.]+)"[^>]*stroke="#c92a2a"/.exec(html)?.[1]);
    expect(lineY).toBeCloseTo(tickY, 1);
  });

  it("shows downstream failures on both sides and says 'no data' when nothing was measured", () => {
    const v = verdictFor("inconclusive-downstream");
    const desc = /<desc[^>]*>([^<]*)<\/desc>/.exec(errorRateChart(v.sides, v.slo))?.[1] ?? "";
    expect(desc).toMatch(/catalog calls: baseline 6\d(\.\d+)?% \[/);
    const none = errorRateChart({}, v.slo);
    expect(none).toContain("No data: no requests were measured on either side");
    expect(none).not.toContain("<svg");
  });
});

describe("niceTicks", () => {
  it("steps by 1, 2, 2.5 or 5 × 10^k from 0 to just above the maximum", () => {
    expect(niceTicks(0.137, 4)).toEqual([0, 0.05, 0.1, 0.15]);
    expect(niceTicks(343, 6)).toEqual([0, 100, 200, 300, 400]);
    expect(niceTicks(36, 6)).toEqual([0, 10, 20, 30, 40]);
    expect(niceTicks(0, 4)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});
