import { describe, expect, it } from "vitest";
import { parseSlo, parseWatch, violates, watchList } from "../../src/verify/conditions.js";

describe("SLO conditions and watch entries", () => {
  it("parses rate and latency conditions", () => {
    expect(parseSlo("error_rate > 0.05")).toMatchObject({
      signal: "error_rate",
      target: { kind: "error_rate" },
      comparator: ">",
      threshold: 0.05,
    });
    expect(parseSlo(" p99_ms>=300 ")).toMatchObject({
      target: { kind: "latency", quantile: 0.99 },
      comparator: ">=",
    });
    expect(violates(0.06, parseSlo("error_rate > 0.05"))).toBe(true);
    expect(violates(0.05, parseSlo("error_rate > 0.05"))).toBe(false);
    expect(violates(0.05, parseSlo("error_rate >= 0.05"))).toBe(true);
  });

  it("rejects unknown signals and malformed conditions with one-line user errors", () => {
    expect(() => parseSlo("latency > 3")).toThrow(
      "--slo: unknown SLO signal 'latency' (known: error_rate, pNN_ms (e.g. p99_ms))",
    );
    expect(() => parseSlo("error_rate > 5")).toThrow("error_rate is a fraction in [0, 1]");
    expect(() => parseSlo("error_rate is high")).toThrow("is not a condition like");
    expect(() => parseWatch("p99_ms:20%")).toThrow("is not 'signal:+N' or 'signal:+N%'");
    expect(() => parseWatch("cpu:+5")).toThrow("unknown signal 'cpu'");
  });

  it("reads absolute and relative tolerances", () => {
    expect(parseWatch("p99_ms:+20%")).toMatchObject({
      target: { kind: "latency", quantile: 0.99 },
      tolerance: 0.2,
      relative: true,
    });
    expect(parseWatch("downstream_error_rate:+0.02")).toMatchObject({ tolerance: 0.02, relative: false });
  });

  it("builds the watchlist: defaults, then the manifest's, then the command line's; crash always", () => {
    const list = watchList(["p99_ms:+50%", "error_rate:+0.02"], ["p99_ms:+20%", "rss_mb:+100"]);
    expect(list.map((w) => w.text)).toEqual(["error_rate:+0.02", "p99_ms:+20%", "rss_mb:+100", "crash"]);
    expect(watchList([], []).map((w) => w.text)).toEqual(["error_rate:+0.01", "crash"]);
  });
});
