import type { Labels, PrometheusClient } from "../../monitoring/prometheus-client.js";
import { formatSelector, type Matcher, parseThreshold, type Selector, selectors } from "../promql.js";
import type { EvidenceSource, GatherContext, Gathered, Outcome, SourceRecorder } from "./evidence.js";

/**
 * Metrics from Prometheus, with no metric name known in advance: the alert expression's value now
 * and over the window; the service's request counter (from the expression, else discovered from its
 * series) broken down by the labels its series carry; its latency histogram; and for each
 * downstream its own error rate and latency, plus the calls this service makes to it (series of
 * this service carrying the downstream's name as a label value).
 */
export interface MetricsEvidence {
  /** Matchers that pick the service's series, e.g. `job="checkout"`. */
  identity: Matcher[];
  signal?: { expr: string; value: number; labels: Labels };
  history?: { expr: string; stepSeconds: number; points: { time: number; value: number }[]; max: number };
  traffic?: Traffic;
  latency?: Latency;
  downstreams: DownstreamMetrics[];
  /** Queries that failed or found nothing, one line each. */
  notes: string[];
}

export interface Traffic {
  counter: string;
  selector: string;
  statusLabel?: string;
  windowSeconds: number;
  breakdown: { expr: string; by: string[]; rows: { labels: Labels; rate: number }[] };
  requestRate: number;
  /** Share of requests answered 5xx, when a status label is known. */
  errorRatio?: number;
}

export interface Latency {
  metric: string;
  expr: string;
  p50Ms?: number;
  p99Ms?: number;
}

export interface DownstreamMetrics {
  service: string;
  /** The downstream's own traffic, from the same request counter with its name as identity. */
  own?: { selector: string; requestRate: number; errorRatio?: number; p99Ms?: number };
  /** This service's calls to it, as this service counts them. */
  calls?: {
    metric: string;
    rate: number;
    failedRatio: number;
    byStatus: Record<string, number>;
    p99Ms?: number;
  };
}

const identityLabels = ["job", "service", "app"];
const ignoredLabels = new Set(["__name__", "job", "instance", "service", "app", "le", "quantile"]);
const maxBreakdownLabels = 4;
const maxBreakdownValues = 50;
const maxRows = 20;
const maxPoints = 120;

export const metricsSource: EvidenceSource<MetricsEvidence> = {
  name: "metrics",
  async gather(ctx: GatherContext, recorder: SourceRecorder): Promise<Gathered<MetricsEvidence>> {
    if (!ctx.prometheus)
      return { available: false, reason: "no Prometheus URL is known (world not up, no external URL)" };
    const prom = ctx.prometheus(recorder.deadline);
    const q = new Queries(prom, recorder, ctx.window.end);
    const { start, end } = ctx.window;
    const notes: string[] = [];
    const exprSelectors = ctx.expr ? selectors(ctx.expr) : [];

    let identity = identityOf(exprSelectors, ctx.service, ctx.alert.labels);
    let serviceSeries: Labels[] | undefined;
    if (identity.length) {
      const found = await q.series(formatSelector("", identity), start, end);
      if (!found.ok) return { available: false, reason: `Prometheus did not answer: ${found.reason}` };
      serviceSeries = found.value;
    } else {
      for (const label of identityLabels) {
        const candidate: Matcher[] = [{ label, op: "=", value: ctx.service }];
        const found = await q.series(formatSelector("", candidate), start, end);
        if (!found.ok) return { available: false, reason: `Prometheus did not answer: ${found.reason}` };
        if (found.value.length) {
          identity = candidate;
          serviceSeries = found.value;
          break;
        }
      }
    }
    if (!serviceSeries?.length) notes.push(`no series found for ${ctx.service} in the window`);
    const series = serviceSeries ?? [];
    const evidence: MetricsEvidence = { identity, downstreams: [], notes };
    const windowSeconds = Math.max(
      Math.ceil((end.getTime() - start.getTime()) / 1000),
      Math.max(0, ...exprSelectors.map((s) => s.rangeSeconds ?? 0)),
      10,
    );
    const dependencies = Object.keys(ctx.spec.dependsOn);

    const signalJob = ctx.expr
      ? gatherSignal(q, ctx.expr, ctx.alert.labels, ctx.window, evidence)
      : Promise.resolve();
    const counter = requestCounter(exprSelectors, series, dependencies);
    const histogram = counter && latencyHistogram(counter.metric, series, dependencies);
    if (!counter) notes.push(`no request counter found for ${ctx.service}`);
    const trafficJob = counter
      ? gatherTraffic(q, counter, series, windowSeconds).then((t) => {
          if (t) evidence.traffic = t;
          else notes.push(`no traffic found for ${formatSelector(counter.metric, counter.matchers)}`);
        })
      : Promise.resolve();
    const latencyJob = histogram
      ? gatherLatency(q, histogram, identity, counter?.matchers ?? [], series, windowSeconds).then((l) => {
          if (l) evidence.latency = l;
        })
      : Promise.resolve();
    const downstreamJobs = dependencies.map((dep) =>
      gatherDownstream(q, dep, ctx.service, identity, counter, histogram, series, windowSeconds),
    );
    await Promise.all([signalJob, trafficJob, latencyJob]);
    evidence.downstreams = await Promise.all(downstreamJobs);
    notes.push(...q.failures);
    return { available: true, value: evidence };
  },
};

/** Instant queries at the window's end, recorded, with failures collected as notes. */
class Queries {
  readonly failures: string[] = [];

  constructor(
    private readonly prom: PrometheusClient,
    private readonly recorder: SourceRecorder,
    private readonly at: Date,
  ) {}

  async instant(expr: string) {
    const out = await this.recorder.run(
      `PromQL ${expr}`,
      () => this.prom.query(expr, this.at),
      (s) => `${s.length} series`,
    );
    if (!out.ok) this.failures.push(`${expr}: ${out.reason}`);
    return out.ok ? out.value : undefined;
  }

  async range(expr: string, start: Date, end: Date, step: number) {
    const out = await this.recorder.run(
      `PromQL range ${expr} [${start.toISOString()} .. ${end.toISOString()}, step ${step}s]`,
      () => this.prom.queryRange(expr, start, end, step),
      (s) => `${s.length} series`,
    );
    if (!out.ok) this.failures.push(`${expr} (range): ${out.reason}`);
    return out.ok ? out.value : undefined;
  }

  series(match: string, start: Date, end: Date): Promise<Outcome<Labels[]>> {
    return this.recorder.run(
      `GET ${this.prom.baseUrl}/api/v1/series?match[]=${match}`,
      () => this.prom.series(match, start, end),
      (s) => `${s.length} series`,
    );
  }
}

async function gatherSignal(
  q: Queries,
  expr: string,
  alertLabels: Labels,
  window: GatherContext["window"],
  evidence: MetricsEvidence,
): Promise<void> {
  const signal = parseThreshold(expr)?.signal ?? expr;
  const span = (window.end.getTime() - window.beforeStart.getTime()) / 1000;
  const step = Math.max(1, Math.ceil(span / maxPoints));
  const [now, history] = await Promise.all([
    q.instant(signal),
    q.range(signal, window.beforeStart, window.end, step),
  ]);
  const sample = now && pickForAlert(now, alertLabels);
  if (sample && Number.isFinite(sample.value))
    evidence.signal = { expr: signal, value: sample.value, labels: sample.metric };
  const series = history && pickForAlert(history, alertLabels);
  if (series?.points.length) {
    const finite = series.points.filter((p) => Number.isFinite(p.value));
    evidence.history = {
      expr: signal,
      stepSeconds: step,
      points: finite,
      max: Math.max(...finite.map((p) => p.value)),
    };
  }
}

/** The series whose labels the alert carries; else the only one; else the first. */
function pickForAlert<T extends { metric: Labels }>(items: T[], alertLabels: Labels): T | undefined {
  return items.find((i) => Object.entries(i.metric).every(([k, v]) => alertLabels[k] === v)) ?? items[0];
}

/** Equality matchers of the expression naming the service (by name or by one of the alert's labels). */
function identityOf(sels: Selector[], service: string, alertLabels: Labels): Matcher[] {
  const found = new Map<string, Matcher>();
  for (const m of sels.flatMap((s) => s.matchers)) {
    if (
      m.op === "=" &&
      (m.value === service || (identityLabels.includes(m.label) && alertLabels[m.label] === m.value))
    )
      found.set(m.label, m);
  }
  return [...found.values()];
}

interface Counter {
  metric: string;
  /** Matchers every use of the counter in the expression shares (the service, excluded routes…). */
  matchers: Matcher[];
}

function requestCounter(sels: Selector[], series: Labels[], dependencies: string[]): Counter | undefined {
  const fromExpr =
    sels.find((s) => /_(total|count)$/.test(s.metric)) ??
    sels.find((s) => s.rangeSeconds && !s.metric.endsWith("_bucket"));
  if (fromExpr) {
    const uses = sels.filter((s) => s.metric === fromExpr.metric);
    const shared = fromExpr.matchers.filter((m) =>
      uses.every((u) => u.matchers.some((o) => o.label === m.label && o.op === m.op && o.value === m.value)),
    );
    return { metric: fromExpr.metric, matchers: shared };
  }
  // No counter in the expression (a latency alert): the service's own counter with a status label.
  const byName = groupByName(series);
  const candidates = [...byName.entries()].filter(
    ([name, s]) => name.endsWith("_total") && statusLabelOf(s) && !carriesAny(s, dependencies),
  );
  candidates.sort(([a], [b]) => Number(/request/.test(b)) - Number(/request/.test(a)));
  const chosen = candidates[0];
  return chosen ? { metric: chosen[0], matchers: [] } : undefined;
}

function latencyHistogram(counter: string, series: Labels[], dependencies: string[]): string | undefined {
  const byName = groupByName(series);
  const buckets = [...byName.entries()].filter(
    ([name, s]) => name.endsWith("_bucket") && !carriesAny(s, dependencies),
  );
  buckets.sort(([a], [b]) => commonPrefix(b, counter) - commonPrefix(a, counter));
  return buckets[0]?.[0];
}

async function gatherTraffic(
  q: Queries,
  counter: Counter,
  series: Labels[],
  windowSeconds: number,
): Promise<Traffic | undefined> {
  const own = series.filter((s) => s.__name__ === counter.metric);
  const statusLabel = statusLabelOf(own);
  const fixed = new Set(counter.matchers.filter((m) => m.op === "=").map((m) => m.label));
  const by = breakdownLabels(own, fixed, statusLabel);
  const selector = formatSelector(counter.metric, counter.matchers);
  const expr = `sum by (${by.join(", ")}) (rate(${selector}[${windowSeconds}s]))`;
  const result = await q.instant(expr);
  if (!result?.length) return undefined;
  const rows = result
    .map((r) => ({ labels: r.metric, rate: r.value }))
    .filter((r) => Number.isFinite(r.rate));
  rows.sort((a, b) => b.rate - a.rate);
  const requestRate = rows.reduce((sum, r) => sum + r.rate, 0);
  const failing = statusLabel
    ? rows.filter((r) => /^5\d\d$/.test(r.labels[statusLabel] ?? "")).reduce((sum, r) => sum + r.rate, 0)
    : undefined;
  return {
    counter: counter.metric,
    selector,
    ...(statusLabel ? { statusLabel } : {}),
    windowSeconds,
    breakdown: { expr, by, rows: rows.slice(0, maxRows) },
    requestRate,
    ...(failing !== undefined && requestRate > 0 ? { errorRatio: failing / requestRate } : {}),
  };
}

async function gatherLatency(
  q: Queries,
  metric: string,
  identity: Matcher[],
  counterMatchers: Matcher[],
  series: Labels[],
  windowSeconds: number,
): Promise<Latency | undefined> {
  const labels = new Set(series.filter((s) => s.__name__ === metric).flatMap((s) => Object.keys(s)));
  const matchers = mergeMatchers(
    identity,
    counterMatchers.filter((m) => labels.has(m.label)),
  );
  const [p50, p99] = await Promise.all(
    [0.5, 0.99].map((quantile) => quantileMs(q, quantile, metric, matchers, windowSeconds)),
  );
  if (p50 === undefined && p99 === undefined) return undefined;
  return {
    metric,
    expr: quantileExpr(0.99, metric, matchers, windowSeconds),
    ...(p50 !== undefined ? { p50Ms: p50 } : {}),
    ...(p99 !== undefined ? { p99Ms: p99 } : {}),
  };
}

async function gatherDownstream(
  q: Queries,
  dep: string,
  service: string,
  identity: Matcher[],
  counter: Counter | undefined,
  histogram: string | undefined,
  series: Labels[],
  windowSeconds: number,
): Promise<DownstreamMetrics> {
  const out: DownstreamMetrics = { service: dep };
  const renamed = (ms: Matcher[]) =>
    ms.map((m) => (m.value === service && m.op === "=" ? { ...m, value: dep } : m));
  const depIdentity = renamed(identity);
  const jobs: Promise<void>[] = [];
  if (counter && depIdentity.length) {
    const matchers = mergeMatchers(depIdentity, renamed(counter.matchers));
    const selector = formatSelector(counter.metric, matchers);
    jobs.push(
      (async () => {
        const statusLabel = statusLabelOf(series.filter((s) => s.__name__ === counter.metric));
        const expr = statusLabel
          ? `sum by (${statusLabel}) (rate(${selector}[${windowSeconds}s]))`
          : `sum(rate(${selector}[${windowSeconds}s]))`;
        const [rows, p99] = await Promise.all([
          q.instant(expr),
          histogram ? quantileMs(q, 0.99, histogram, matchers, windowSeconds) : undefined,
        ]);
        if (!rows?.length) return;
        const requestRate = rows.reduce((sum, r) => sum + r.value, 0);
        const failing = statusLabel
          ? rows
              .filter((r) => /^5\d\d$/.test(r.metric[statusLabel] ?? ""))
              .reduce((sum, r) => sum + r.value, 0)
          : undefined;
        out.own = {
          selector,
          requestRate,
          ...(failing !== undefined && requestRate > 0 ? { errorRatio: failing / requestRate } : {}),
          ...(p99 !== undefined ? { p99Ms: p99 } : {}),
        };
      })(),
    );
  }
  const callSeries = series.filter((s) =>
    Object.entries(s).some(([k, v]) => v === dep && !ignoredLabels.has(k)),
  );
  const byName = groupByName(callSeries);
  const callCounter = [...byName.entries()].find(([name, s]) => name.endsWith("_total") && statusLabelOf(s));
  const callHistogram = [...byName.keys()].find((name) => name.endsWith("_bucket"));
  const depLabel =
    callSeries[0] && Object.entries(callSeries[0]).find(([k, v]) => v === dep && !ignoredLabels.has(k))?.[0];
  if (callCounter && depLabel) {
    const [metric, s] = callCounter;
    const statusLabel = statusLabelOf(s) as string;
    const matchers = mergeMatchers(identity, [{ label: depLabel, op: "=", value: dep }]);
    jobs.push(
      (async () => {
        const [rows, p99] = await Promise.all([
          q.instant(`sum by (${statusLabel}) (rate(${formatSelector(metric, matchers)}[${windowSeconds}s]))`),
          callHistogram ? quantileMs(q, 0.99, callHistogram, matchers, windowSeconds) : undefined,
        ]);
        if (!rows?.length) return;
        const byStatus = Object.fromEntries(rows.map((r) => [r.metric[statusLabel] ?? "?", r.value]));
        const rate = rows.reduce((sum, r) => sum + r.value, 0);
        const failed = rows
          .filter((r) => !/^[123]\d\d$/.test(r.metric[statusLabel] ?? ""))
          .reduce((sum, r) => sum + r.value, 0);
        out.calls = {
          metric,
          rate,
          failedRatio: rate > 0 ? failed / rate : 0,
          byStatus,
          ...(p99 !== undefined ? { p99Ms: p99 } : {}),
        };
      })(),
    );
  }
  await Promise.all(jobs);
  return out;
}

function quantileExpr(quantile: number, metric: string, matchers: Matcher[], windowSeconds: number): string {
  return `histogram_quantile(${quantile}, sum by (le) (rate(${formatSelector(metric, matchers)}[${windowSeconds}s])))`;
}

async function quantileMs(
  q: Queries,
  quantile: number,
  metric: string,
  matchers: Matcher[],
  windowSeconds: number,
): Promise<number | undefined> {
  const value = (await q.instant(quantileExpr(quantile, metric, matchers, windowSeconds)))?.[0]?.value;
  if (value === undefined || !Number.isFinite(value)) return undefined;
  return /milli|_ms_/.test(metric) ? value : value * 1000;
}

/** A label whose values all look like HTTP status codes (or a failure word). */
function statusLabelOf(series: Labels[]): string | undefined {
  const values = new Map<string, Set<string>>();
  for (const s of series)
    for (const [k, v] of Object.entries(s))
      if (!ignoredLabels.has(k)) (values.get(k) ?? values.set(k, new Set()).get(k))?.add(v);
  for (const [label, set] of values) {
    const all = [...set];
    if (
      all.some((v) => /^[1-5]\d\d$/.test(v)) &&
      all.every((v) => /^([1-5]\d\d|error|timeout|failed)$/i.test(v))
    )
      return label;
  }
  return undefined;
}

function breakdownLabels(series: Labels[], fixed: Set<string>, statusLabel: string | undefined): string[] {
  const values = new Map<string, Set<string>>();
  for (const s of series)
    for (const [k, v] of Object.entries(s))
      if (!ignoredLabels.has(k) && !fixed.has(k)) (values.get(k) ?? values.set(k, new Set()).get(k))?.add(v);
  const labels = [...values.entries()].filter(([, v]) => v.size <= maxBreakdownValues).map(([k]) => k);
  labels.sort((a, b) => Number(b === statusLabel) - Number(a === statusLabel));
  return labels.slice(0, maxBreakdownLabels);
}

function groupByName(series: Labels[]): Map<string, Labels[]> {
  const byName = new Map<string, Labels[]>();
  for (const s of series) {
    const name = s.__name__;
    if (name) (byName.get(name) ?? byName.set(name, []).get(name))?.push(s);
  }
  return byName;
}

function carriesAny(series: Labels[], values: string[]): boolean {
  return series.some((s) => Object.entries(s).some(([k, v]) => !ignoredLabels.has(k) && values.includes(v)));
}

function mergeMatchers(a: Matcher[], b: Matcher[]): Matcher[] {
  const out = [...a];
  for (const m of b) if (!out.some((o) => o.label === m.label && o.op === m.op)) out.push(m);
  return out;
}

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
