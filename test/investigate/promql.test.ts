import { describe, expect, it } from "vitest";
import { maxRangeSeconds, parseDuration, parseThreshold, selectors } from "../../src/investigate/promql.js";

const errorRatio = `(
  sum(rate(http_requests_total{job="web", route!~"/healthz|/metrics", status=~"5.."}[30s]))
    /
  sum(rate(http_requests_total{job="web", route!~"/healthz|/metrics"}[30s]))
) > 0.05`;

describe("promql", () => {
  it("reads the threshold, selectors and window of an error-ratio alert", () => {
    const t = parseThreshold(errorRatio);
    expect(t?.comparator).toBe(">");
    expect(t?.threshold).toBe(0.05);
    expect(t?.signal).toMatch(/^sum\(rate\(http_requests_total.*\[30s\]\)\)\s+\/\s+sum/s);
    const sels = selectors(errorRatio);
    expect(sels.map((s) => s.metric)).toEqual(["http_requests_total", "http_requests_total"]);
    expect(sels[0]?.matchers).toEqual([
      { label: "job", op: "=", value: "web" },
      { label: "route", op: "!~", value: "/healthz|/metrics" },
      { label: "status", op: "=~", value: "5.." },
    ]);
    expect(sels[0]?.rangeSeconds).toBe(30);
    expect(maxRangeSeconds(errorRatio)).toBe(30);
  });

  it("skips functions, aggregations, label lists, keywords and durations", () => {
    const expr = `histogram_quantile(0.99, sum by (le) (rate(lat_seconds_bucket{job="web"}[1m]))) > 0.3
      and on (job) up offset 5m unless foo{a='x"y'}[5m:1m]`;
    expect(selectors(expr).map((s) => s.metric)).toEqual(["lat_seconds_bucket", "up", "foo"]);
    expect(selectors(expr)[2]).toEqual({
      metric: "foo",
      matchers: [{ label: "a", op: "=", value: 'x"y' }],
      rangeSeconds: 300,
    });
    expect(parseThreshold(expr)).toMatchObject({ comparator: ">", threshold: 0.3 });
  });

  it("flips a threshold written on the left and ignores comparisons without a number", () => {
    expect(parseThreshold("0.5 < bool up")).toEqual({ signal: "up", comparator: ">", threshold: 0.5 });
    expect(parseThreshold("a > b")).toBeUndefined();
    expect(parseThreshold("up == 0")).toEqual({ signal: "up", comparator: "==", threshold: 0 });
  });

  it("parses durations", () => {
    expect(parseDuration("1m30s")).toBe(90);
    expect(parseDuration("250ms")).toBe(0.25);
    expect(parseDuration("5x")).toBeUndefined();
  });
});
