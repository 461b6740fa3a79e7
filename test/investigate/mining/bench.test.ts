import { describe, expect, it } from "vitest";
import { benchTemplateMining, SyntheticServiceLog } from "../../../src/investigate/mining/bench.js";

describe("benchTemplateMining", () => {
  it("mines the synthetic log into a handful of templates", async () => {
    const result = await benchTemplateMining(20_000);
    expect(result.lines).toBe(20_000);
    expect(result.seconds).toBeGreaterThan(0);
    expect(result.linesPerSecond).toBe(Math.round(20_000 / result.seconds));
    // 8 message shapes × 4 services, give or take shapes that split by word count.
    expect(result.templates).toBeGreaterThanOrEqual(32);
    expect(result.templates).toBeLessThan(60);
  });
});

describe("SyntheticServiceLog", () => {
  it("is deterministic for a seed and different across seeds", () => {
    const a = new SyntheticServiceLog(1).lines(50);
    expect(new SyntheticServiceLog(1).lines(50)).toEqual(a);
    expect(new SyntheticServiceLog(2).lines(50)).not.toEqual(a);
    expect(
      a.every((line) => /^2026-11-25T20:\d\d:\d\d\.\d{3}Z \w+ (INFO|DEBUG|WARN|ERROR) /.test(line)),
    ).toBe(true);
  });
});
