import { describe, expect, it } from "vitest";
import { errorSignatureDiff } from "../../src/verify/logs.js";

const entryStart = "^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}";

function traceback(time: string, exception: string): string {
  return [
    `2026-11-25T21:07:${time}.029Z ERROR checkout unhandled error in POST /checkout`,
    "Traceback (most recent call last):",
    '  File "/tmp/x/app.py", line 72, in _handle',
    "    status = self._route(method, path, fields)",
    exception,
  ].join("\n");
}

const access = (time: string, item: string, status: number) =>
  `2026-11-25T21:07:${time}.031Z INFO checkout access method=POST path=/checkout item_id=${item} quantity=1 status=${status} duration_ms=98.6`;

describe("error signatures of the patched run vs the baseline's", () => {
  const baseline = [
    "2026-11-25T21:07:00.000Z INFO checkout listening on 127.0.0.1:4000 pricing=http://127.0.0.1:4001",
    traceback("01", "ValueError: unsupported catalog shape for item_id=item-113-3"),
    access("01", "item-113-3", 500),
    traceback("02", "ValueError: unsupported catalog shape for item_id=item-120-3"),
    access("03", "item-121-4", 200),
    "2026-11-25T21:07:04.000Z ERROR checkout pricing call failed for item_id=item-150-1: GET /v1/price failed: timed out",
  ].join("\n");

  it("finds templates only the patched run logs, and those it no longer logs", () => {
    const patched = [
      "2026-11-25T21:07:00.000Z INFO checkout listening on 127.0.0.1:4002 pricing=http://127.0.0.1:4003",
      traceback("01", "KeyError: 'weight_grams'"),
      access("01", "item-118-8", 500),
      traceback("02", "KeyError: 'weight_grams'"),
      "2026-11-25T21:07:04.000Z ERROR checkout pricing call failed for item_id=item-177-2: GET /v1/price failed: timed out",
      access("05", "item-121-4", 200),
    ].join("\n");
    const diff = errorSignatureDiff(baseline, patched, { entryStart, secrets: [] });
    expect(diff.new).toEqual([
      {
        template: "KeyError: <*>",
        count: 2,
        sample:
          "2026-11-25T21:07:01.029Z ERROR checkout unhandled error in POST /checkout\nKeyError: 'weight_grams'",
      },
    ]);
    expect(diff.resolved.map((s) => [s.template, s.count])).toEqual([
      ["ValueError: unsupported catalog shape for item_id=<*>", 2],
    ]);
  });

  it("reports nothing for the same errors with other ids, and hides secrets in samples", () => {
    const same = [
      traceback("07", "ValueError: unsupported catalog shape for item_id=item-199-3"),
      "2026-11-25T21:07:08.000Z ERROR checkout pricing call failed for item_id=item-101-5: GET /v1/price failed: timed out",
    ].join("\n");
    expect(errorSignatureDiff(baseline, same, { entryStart, secrets: [] })).toEqual({
      new: [],
      resolved: [],
    });

    const leaky =
      "2026-11-25T21:07:09.000Z ERROR checkout payment rejected for key sk_live_demo_4f9a8c2e7b1d6035";
    const diff = errorSignatureDiff(baseline, leaky, {
      entryStart,
      secrets: ["sk_live_demo_4f9a8c2e7b1d6035"],
    });
    expect(diff.new).toHaveLength(1);
    expect(diff.new[0]?.sample).not.toContain("4f9a8c2e7b1d6035");
    expect(diff.new[0]?.sample).toContain("[REDACTED]");
  });
});
