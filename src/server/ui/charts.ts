import { fmtEstimate, fmtMs, fmtRate } from "../../verify/format.js";
import type { Estimate, LatencySummary, Side, SloResult, Verdict } from "../../verify/verdict.js";
import { escapeHtml } from "./html.js";
import { isFiniteNumber, linear, niceTicks, px, textWidth } from "./svg.js";

/**
 * The verdict's two charts as inline SVG figures: latency distributions of both sides, and error
 * rates with their confidence intervals against the SLO. Data that cannot be drawn (missing, NaN,
 * malformed) is dropped, and a chart with nothing left says so instead of drawing an empty frame.
 */

type Sides = Verdict["sides"];

const sideOrder: Side[] = ["baseline", "patched"];
export const sideColor: Record<Side, string> = { baseline: "#868e96", patched: "#364fc7" };
const sideDash: Record<Side, string> = { baseline: "5 3", patched: "2 2" };
const thresholdColor = "#c92a2a";
const width = 560;
const left = 62;
const right = width - 30;
const legendHeight = 28;
const labelRowHeight = 14;
const plotHeight = 190;
const axisHeight = 46;
const standardQuantiles = ["p50", "p95", "p99"];

interface LatencySeries {
  side: Side;
  edges: number[];
  shares: number[];
  total: number;
  overflow: number;
  markers: { label: string; ms: number }[];
}

interface Label {
  text: string;
  x: number;
  color: string;
  row: number;
}

/** Overlaid latency histograms (share of each side's requests per bucket) with quantile markers. */
export function latencyChart(sides: Sides, slo?: SloResult): string {
  const sloQuantile = slo?.unit === "ms" ? slo.signal.replace(/_ms$/, "") : undefined;
  const quantiles = [...new Set([...standardQuantiles, ...(sloQuantile ? [sloQuantile] : [])])];
  const series = sideOrder.flatMap((side) => {
    const s = latencySeries(side, sides[side]?.latency, quantiles);
    return s ? [s] : [];
  });
  const threshold = slo?.unit === "ms" && isFiniteNumber(slo.threshold) ? slo.threshold : undefined;
  const title = "Latency distribution, baseline vs patched";
  let caption =
    "Share of each side's requests per latency bucket (same buckets for both sides); dashed lines mark each side's quantiles" +
    (threshold === undefined ? "." : ", the red line the SLO threshold.");
  if (!series.length) return noData("latency", title, "no latency samples on either side", caption);

  const xMin = Math.min(0, ...series.map((s) => s.edges[0] as number));
  const xMax = Math.max(
    ...series.map((s) => s.edges[s.edges.length - 1] as number),
    ...series.flatMap((s) => s.markers.map((m) => m.ms)),
    threshold ?? 0,
  );
  const xTicks = niceTicks(xMax, 6);
  const x = linear(xMin, xTicks[xTicks.length - 1] as number, left, right);

  const labels = placeLabels([
    ...series.flatMap((s) => s.markers.map((m) => ({ text: m.label, x: x(m.ms), color: sideColor[s.side] }))),
    ...(threshold === undefined
      ? []
      : [{ text: `SLO ${fmtMs(threshold)}`, x: x(threshold), color: thresholdColor }]),
  ]);
  const rows = Math.max(0, ...labels.map((l) => l.row + 1));
  const top = legendHeight + rows * labelRowHeight + 6;
  const bottom = top + plotHeight;
  const yTicks = niceTicks(Math.max(...series.flatMap((s) => s.shares)), 4);
  const y = linear(0, yTicks[yTicks.length - 1] as number, bottom, top);

  const parts: string[] = [];
  parts.push(...yGrid(yTicks, y, fmtRate));
  parts.push(...xAxis(xTicks, x, bottom, (t) => (t === 0 ? "0" : fmtMs(t)), "latency per request"));
  parts.push(yTitle("share of requests", top, bottom));
  for (const s of series) parts.push(area(s, x, y));
  for (const s of series) {
    for (const m of s.markers) {
      const label = labels.find((l) => l.text === m.label && l.color === sideColor[s.side]);
      const from = legendHeight + (label?.row ?? 0) * labelRowHeight + labelRowHeight;
      parts.push(
        `<line x1="${px(x(m.ms))}" y1="${px(from)}" x2="${px(x(m.ms))}" y2="${px(bottom)}" stroke="${sideColor[s.side]}" stroke-width="1.2" stroke-dasharray="${sideDash[s.side]}"><title>${s.side} ${escapeHtml(m.label)} ${escapeHtml(fmtMs(m.ms))}</title></line>`,
      );
    }
  }
  if (threshold !== undefined) {
    const label = labels.find((l) => l.color === thresholdColor);
    const from = legendHeight + (label?.row ?? 0) * labelRowHeight + labelRowHeight;
    parts.push(
      `<line x1="${px(x(threshold))}" y1="${px(from)}" x2="${px(x(threshold))}" y2="${px(bottom)}" stroke="${thresholdColor}" stroke-width="1.5"><title>SLO threshold ${escapeHtml(fmtMs(threshold))}</title></line>`,
    );
  }
  for (const l of labels) {
    const ly = legendHeight + l.row * labelRowHeight + labelRowHeight - 3;
    parts.push(
      `<text x="${px(l.x)}" y="${px(ly)}" text-anchor="middle" fill="${l.color}" font-weight="600">${escapeHtml(l.text)}</text>`,
    );
  }
  parts.push(
    legend(
      sideOrder.map((side) => {
        const s = series.find((c) => c.side === side);
        return s
          ? { color: sideColor[side], text: `${side} · ${s.total} requests` }
          : { color: sideColor[side], text: `${side}: no latency samples`, hollow: true };
      }),
    ),
  );
  const offChart = series
    .filter((s) => s.overflow)
    .map(
      (s) =>
        ` ${s.overflow} ${s.side} request(s) at or above ${fmtMs(s.edges[s.edges.length - 1])} are not drawn.`,
    );
  caption += offChart.join("");

  const describe = (s: LatencySeries) =>
    `${s.side}: ${s.total} requests, ${s.markers.map((m) => `${m.label} ${fmtMs(m.ms)}`).join(", ")}`;
  const desc = [
    ...series.map(describe),
    ...(threshold === undefined ? [] : [`SLO threshold ${fmtMs(threshold)}`]),
  ];
  return figure("latency", title, desc.join("; "), bottom + axisHeight, parts, caption);
}

/** Error rate of each side (and of each downstream's calls) with interval whiskers and the SLO threshold. */
export function errorRateChart(sides: Sides, slo?: SloResult): string {
  const groups = rateGroups(sides);
  const threshold = slo?.unit === "ratio" && isFiniteNumber(slo.threshold) ? slo.threshold : undefined;
  const title = "Error rate, baseline vs patched";
  const interval = groups.flatMap((g) => sideOrder.map((s) => g.rates[s]?.interval)).find(Boolean);
  const caption = `Share of failed requests per side${interval ? `; whiskers: ${interval} interval` : ""}${threshold === undefined ? "" : "; the red line is the SLO threshold"}${groups.length > 1 ? ". Downstream groups count the service's calls to each downstream" : ""}.`;
  if (!groups.length) return noData("errors", title, "no requests were measured on either side", caption);

  const top = legendHeight + 22;
  const bottom = top + plotHeight;
  const highest = Math.max(
    0.01,
    threshold ?? 0,
    ...groups.flatMap((g) => sideOrder.flatMap((s) => [g.rates[s]?.value ?? 0, g.rates[s]?.upper ?? 0])),
  );
  const yTicks = niceTicks(highest, 4);
  const y = linear(0, yTicks[yTicks.length - 1] as number, bottom, top);
  const groupWidth = (right - left) / groups.length;
  const barWidth = Math.min(64, groupWidth / 3.2);

  const parts: string[] = [];
  parts.push(...yGrid(yTicks, y, fmtRate));
  parts.push(`<line x1="${left}" y1="${px(bottom)}" x2="${right}" y2="${px(bottom)}" stroke="#868e96"/>`);
  parts.push(yTitle("error rate", top, bottom));
  groups.forEach((g, i) => {
    const center = left + groupWidth * (i + 0.5);
    parts.push(
      `<text x="${px(center)}" y="${px(bottom + 17)}" text-anchor="middle" fill="#343a40" font-weight="600">${escapeHtml(g.label)}</text>`,
      `<text x="${px(center)}" y="${px(bottom + 32)}" text-anchor="middle" fill="#6c757d">${escapeHtml(g.counts)}</text>`,
    );
    sideOrder.forEach((side, j) => {
      const e = g.rates[side];
      if (!e) return;
      const cx = center + (j === 0 ? -1 : 1) * (barWidth / 2 + 3);
      parts.push(bar(side, e, cx, barWidth, y, top, bottom, g.label));
    });
    if (threshold !== undefined && i === 0) {
      const from = center - groupWidth / 2 + 8;
      const to = center + groupWidth / 2 - 8;
      parts.push(
        `<line x1="${px(from)}" y1="${px(y(threshold))}" x2="${px(to)}" y2="${px(y(threshold))}" stroke="${thresholdColor}" stroke-width="1.5" stroke-dasharray="6 3"><title>SLO threshold ${escapeHtml(fmtRate(threshold))}</title></line>`,
      );
    }
  });
  const items: LegendItem[] = sideOrder.map((side) => ({ color: sideColor[side], text: side }));
  if (threshold !== undefined && slo)
    items.push({
      color: thresholdColor,
      text: `SLO: ${slo.signal} ${slo.comparator} ${fmtRate(threshold)}`,
      line: true,
    });
  parts.push(legend(items));

  const desc = groups.map(
    (g) =>
      `${g.label}: ${sideOrder.map((s) => `${s} ${g.rates[s] ? fmtEstimate(g.rates[s], "ratio") : "not measured"}`).join(", ")}`,
  );
  if (threshold !== undefined) desc.push(`SLO threshold ${fmtRate(threshold)}`);
  return figure("errors", title, desc.join("; "), bottom + axisHeight, parts, caption);
}

function latencySeries(
  side: Side,
  latency: LatencySummary | undefined,
  quantiles: string[],
): LatencySeries | undefined {
  const h = latency?.histogram;
  if (!latency || !h) return undefined;
  const edges = h.edgesMs;
  const ascending =
    edges.length >= 2 &&
    edges.every((e, i) => Number.isFinite(e) && (i === 0 || e > (edges[i - 1] as number)));
  if (!ascending) return undefined;
  const counts = Array.from({ length: edges.length - 1 }, (_, i) => count(h.counts[i]));
  const overflow = count(h.overflow);
  const total = counts.reduce((a, b) => a + b, 0) + overflow;
  if (!total) return undefined;
  const markers = quantiles.flatMap((label) => {
    const ms = latency.quantilesMs[label]?.value;
    return isFiniteNumber(ms) && ms >= 0 ? [{ label, ms }] : [];
  });
  return { side, edges, shares: counts.map((c) => c / total), total, overflow, markers };
}

function count(n: number | undefined): number {
  return isFiniteNumber(n) && n > 0 ? n : 0;
}

/** Greedy rows: each label goes in the first row where it does not overlap the previous one. */
function placeLabels(items: Omit<Label, "row">[]): Label[] {
  const maxRows = 4;
  const rowEnds: number[] = [];
  return [...items]
    .sort((a, b) => a.x - b.x || a.text.localeCompare(b.text))
    .map((item) => {
      const half = textWidth(item.text) / 2 + 3;
      let row = rowEnds.findIndex((end) => end <= item.x - half);
      if (row < 0) row = rowEnds.length < maxRows ? rowEnds.length : maxRows - 1;
      rowEnds[row] = item.x + half;
      return { ...item, x: Math.min(Math.max(item.x, left + half), width - half), row };
    });
}

function area(s: LatencySeries, x: (v: number) => number, y: (v: number) => number): string {
  const first = s.edges[0] as number;
  const last = s.edges[s.edges.length - 1] as number;
  let d = `M${px(x(first))},${px(y(0))}`;
  s.shares.forEach((share, i) => {
    d += `L${px(x(s.edges[i] as number))},${px(y(share))}L${px(x(s.edges[i + 1] as number))},${px(y(share))}`;
  });
  d += `L${px(x(last))},${px(y(0))}Z`;
  const opacity = s.side === "baseline" ? 0.35 : 0.28;
  return `<path d="${d}" fill="${sideColor[s.side]}" fill-opacity="${opacity}" stroke="${sideColor[s.side]}" stroke-width="1.6" stroke-linejoin="round"/>`;
}

interface RateGroup {
  label: string;
  counts: string;
  rates: Partial<Record<Side, Estimate>>;
}

function rateGroups(sides: Sides): RateGroup[] {
  const groups: RateGroup[] = [];
  const requests = (side: Side) => sides[side]?.requests;
  groups.push({
    label: "requests",
    counts: `n = ${sideOrder.map((s) => requests(s) ?? "–").join(" / ")}`,
    rates: usableRates((side) => (requests(side) ? sides[side]?.errorRate : undefined)),
  });
  const names = [...new Set(sideOrder.flatMap((s) => sides[s]?.downstreams.map((d) => d.name) ?? []))];
  for (const name of names) {
    const of = (side: Side) => sides[side]?.downstreams.find((d) => d.name === name);
    groups.push({
      label: `${name} calls`,
      counts: `n = ${sideOrder.map((s) => of(s)?.calls ?? "–").join(" / ")}`,
      rates: usableRates((side) => (of(side)?.calls ? of(side)?.errorRate : undefined)),
    });
  }
  return groups.filter((g) => Object.keys(g.rates).length);
}

/** Rates clamped to [0, 1]; a bound that is missing or not a number stays missing ("cannot be bounded"). */
function usableRates(get: (side: Side) => Estimate | undefined): Partial<Record<Side, Estimate>> {
  const out: Partial<Record<Side, Estimate>> = {};
  const clamp = (v: number | undefined) => (isFiniteNumber(v) ? Math.min(1, Math.max(0, v)) : undefined);
  for (const side of sideOrder) {
    const e = get(side);
    const value = clamp(e?.value);
    if (!e || value === undefined) continue;
    out[side] = { value, lower: clamp(e.lower), upper: clamp(e.upper), interval: e.interval };
  }
  return out;
}

function bar(
  side: Side,
  e: Estimate,
  cx: number,
  barWidth: number,
  y: (v: number) => number,
  top: number,
  bottom: number,
  group: string,
): string {
  const color = sideColor[side];
  const height = Math.max(1, bottom - y(e.value));
  const out = [
    `<rect x="${px(cx - barWidth / 2)}" y="${px(bottom - height)}" width="${px(barWidth)}" height="${px(height)}" fill="${color}" fill-opacity="${side === "baseline" ? 0.55 : 0.8}"><title>${escapeHtml(`${group}, ${side}: ${fmtEstimate(e, "ratio")}`)}</title></rect>`,
  ];
  const low = y(e.lower ?? e.value);
  const high = e.upper === undefined ? top : y(e.upper);
  const cap = barWidth / 4;
  out.push(
    `<line x1="${px(cx)}" y1="${px(low)}" x2="${px(cx)}" y2="${px(high)}" stroke="#212529" stroke-width="1.4"${e.upper === undefined ? ' stroke-dasharray="3 2"' : ""}/>`,
    `<line x1="${px(cx - cap)}" y1="${px(low)}" x2="${px(cx + cap)}" y2="${px(low)}" stroke="#212529" stroke-width="1.4"/>`,
  );
  if (e.upper !== undefined)
    out.push(
      `<line x1="${px(cx - cap)}" y1="${px(high)}" x2="${px(cx + cap)}" y2="${px(high)}" stroke="#212529" stroke-width="1.4"/>`,
    );
  out.push(
    `<text x="${px(cx)}" y="${px(Math.min(high, y(e.value)) - 6)}" text-anchor="middle" fill="#212529" font-weight="600">${escapeHtml(fmtRate(e.value))}</text>`,
  );
  return out.join("");
}

function yGrid(ticks: number[], y: (v: number) => number, format: (v: number) => string): string[] {
  return ticks.map(
    (t) =>
      `<line x1="${left}" y1="${px(y(t))}" x2="${right}" y2="${px(y(t))}" stroke="#e9ecef"/>` +
      `<text x="${left - 8}" y="${px(y(t) + 4)}" text-anchor="end" fill="#6c757d">${escapeHtml(format(t))}</text>`,
  );
}

function xAxis(
  ticks: number[],
  x: (v: number) => number,
  bottom: number,
  format: (v: number) => string,
  title: string,
): string[] {
  return [
    `<line x1="${left}" y1="${px(bottom)}" x2="${right}" y2="${px(bottom)}" stroke="#868e96"/>`,
    ...ticks.map(
      (t) =>
        `<line x1="${px(x(t))}" y1="${px(bottom)}" x2="${px(x(t))}" y2="${px(bottom + 4)}" stroke="#868e96"/>` +
        `<text x="${px(x(t))}" y="${px(bottom + 17)}" text-anchor="middle" fill="#6c757d">${escapeHtml(format(t))}</text>`,
    ),
    `<text x="${px((left + right) / 2)}" y="${px(bottom + 36)}" text-anchor="middle" fill="#343a40">${escapeHtml(title)}</text>`,
  ];
}

function yTitle(text: string, top: number, bottom: number): string {
  const cy = (top + bottom) / 2;
  return `<text x="14" y="${px(cy)}" transform="rotate(-90 14 ${px(cy)})" text-anchor="middle" fill="#343a40">${escapeHtml(text)}</text>`;
}

interface LegendItem {
  color: string;
  text: string;
  /** Drawn as a line (a threshold) rather than a filled swatch. */
  line?: boolean;
  /** An empty swatch: the series is absent. */
  hollow?: boolean;
}

function legend(items: LegendItem[]): string {
  let x = left;
  return items
    .map((item) => {
      const swatch = item.line
        ? `<line x1="${px(x)}" y1="11" x2="${px(x + 16)}" y2="11" stroke="${item.color}" stroke-width="2" stroke-dasharray="6 3"/>`
        : `<rect x="${px(x)}" y="5" width="12" height="12" rx="2" fill="${item.hollow ? "none" : item.color}" fill-opacity="0.7" stroke="${item.color}"/>`;
      const textX = x + (item.line ? 21 : 17);
      x = textX + textWidth(item.text) + 18;
      return `${swatch}<text x="${px(textX)}" y="15" fill="#343a40">${escapeHtml(item.text)}</text>`;
    })
    .join("");
}

function figure(
  id: string,
  title: string,
  desc: string,
  height: number,
  parts: string[],
  caption: string,
): string {
  const svg =
    `<svg class="chart-svg" viewBox="0 0 ${width} ${px(height)}" width="${width}" height="${px(height)}" role="img" aria-labelledby="chart-${id}-title chart-${id}-desc" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" font-size="12">` +
    `<title id="chart-${id}-title">${escapeHtml(title)}</title><desc id="chart-${id}-desc">${escapeHtml(desc)}</desc>` +
    parts.join("") +
    "</svg>";
  return `<figure class="chart" id="chart-${id}"><h3>${escapeHtml(title)}</h3>${svg}<figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}

function noData(id: string, title: string, why: string, caption: string): string {
  return `<figure class="chart no-data-chart" id="chart-${id}"><h3>${escapeHtml(title)}</h3><div class="nodata" role="img" aria-label="${escapeHtml(`${title}: no data`)}">No data: ${escapeHtml(why)}.</div><figcaption>${escapeHtml(caption)}</figcaption></figure>`;
}
