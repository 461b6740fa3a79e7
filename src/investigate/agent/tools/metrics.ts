import { z } from "zod";
import type { Labels } from "../../../monitoring/prometheus-client.js";
import { defineTool, type ToolContext, ToolRefusal } from "./tool.js";

/** PromQL against the world's Prometheus, read-only API endpoints only. */

const maxSeries = 30;
const maxPoints = 60;

const timestamp = z.iso.datetime({ offset: true }).describe("RFC 3339, e.g. 2025-01-31T12:00:00Z");

function client(ctx: ToolContext) {
  if (!ctx.prometheus)
    throw new ToolRefusal("no Prometheus is known for this world (not up, no external URL)");
  return ctx.prometheus;
}

function labels(metric: Labels): string {
  const { __name__: name = "", ...rest } = metric;
  return `${name}{${Object.entries(rest)
    .map(([k, v]) => `${k}="${v}"`)
    .join(", ")}}`;
}

function num(v: number): string {
  return Number.isFinite(v) ? String(Number(v.toPrecision(4))) : String(v);
}

export const prometheusQuery = defineTool({
  name: "prometheus_query",
  description:
    "Run a PromQL instant query against the world's Prometheus. `time` defaults to the end of the alert window. Returns one line per series: labels and value.",
  input: z.strictObject({ query: z.string().min(1).max(2000), time: timestamp.optional() }),
  narrow: "Aggregate with sum by (…) or add label matchers to return fewer series.",
  async run(args, ctx) {
    const prom = client(ctx);
    const at = args.time ? new Date(args.time) : ctx.window.end;
    const samples = await ctx.run(
      `PromQL ${args.query} @ ${at.toISOString()}`,
      () => prom.query(args.query, at),
      (s) => `${s.length} series`,
    );
    if (samples.length === 0) return "No series matched.";
    const lines = samples.slice(0, maxSeries).map((s) => `${labels(s.metric)} => ${num(s.value)}`);
    if (samples.length > maxSeries)
      lines.push(`… ${samples.length - maxSeries} more series not shown; aggregate to see them.`);
    return `${samples.length} series at ${at.toISOString()}:\n${lines.join("\n")}`;
  },
});

export const prometheusRangeQuery = defineTool({
  name: "prometheus_range_query",
  description:
    "Run a PromQL range query. start/end default to the baseline before the alert window and the window's end; the step is chosen for at most 60 points per series unless given.",
  input: z.strictObject({
    query: z.string().min(1).max(2000),
    start: timestamp.optional(),
    end: timestamp.optional(),
    step_seconds: z.int().min(1).max(86_400).optional(),
  }),
  narrow: "Aggregate with sum by (…), add label matchers, or shorten the range.",
  async run(args, ctx) {
    const prom = client(ctx);
    const start = args.start ? new Date(args.start) : ctx.window.beforeStart;
    const end = args.end ? new Date(args.end) : ctx.window.end;
    if (end <= start) throw new ToolRefusal("end must be after start");
    const span = (end.getTime() - start.getTime()) / 1000;
    const step = Math.max(args.step_seconds ?? 1, Math.ceil(span / maxPoints));
    const series = await ctx.run(
      `PromQL range ${args.query} [${start.toISOString()} .. ${end.toISOString()}, step ${step}s]`,
      () => prom.queryRange(args.query, start, end, step),
      (s) => `${s.length} series`,
    );
    if (series.length === 0) return "No series matched.";
    const out = series.slice(0, maxSeries).map((s) => {
      const values = s.points.map((p) => p.value).filter(Number.isFinite);
      const summary = values.length
        ? `min ${num(Math.min(...values))}, max ${num(Math.max(...values))}, last ${num(values.at(-1) as number)}`
        : "no finite values";
      const points = s.points
        .slice(-maxPoints)
        .map((p) => `${new Date(p.time * 1000).toISOString().slice(11, 19)} ${num(p.value)}`)
        .join(", ");
      return `${labels(s.metric)}: ${summary}\n  ${points}`;
    });
    if (series.length > maxSeries) out.push(`… ${series.length - maxSeries} more series not shown.`);
    return `${series.length} series, step ${step}s (times UTC):\n${out.join("\n")}`;
  },
});
