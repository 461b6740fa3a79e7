import { describe, expect, it } from "vitest";
import { parseAccessLine } from "../../src/investigate/access-log.js";
import { bestRunbook, stepsOf } from "../../src/investigate/analyzers/runbook.js";
import { alertWindow, exprFromGeneratorUrl } from "../../src/investigate/evidence/alert.js";
import { messageOf, splitEntries, timestampOf } from "../../src/investigate/evidence/logs.js";
import { parseRunbook } from "../../src/investigate/evidence/runbooks.js";
import { hunkContaining, locateInRepo } from "../../src/investigate/evidence/source.js";
import { shopAlert } from "./fixtures.js";

const access = {
  format: "logfmt" as const,
  marker: " access ",
  statusField: "status",
  durationField: "duration_ms",
  attributes: [],
};

describe("log entries", () => {
  it("splits entries at the entry-start pattern, keeping tracebacks with their first line", () => {
    const text = [
      "booting…",
      "2026-11-25T20:01:02.345Z ERROR web boom",
      "Traceback (most recent call last):",
      '  File "/app/x.py", line 1, in f',
      "ValueError: bad",
      "2026-11-25 20:01:03,500 INFO web ok",
      "",
    ].join("\n");
    const entries = splitEntries(text, /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}/);
    expect(entries.map((e) => e.text.split("\n").length)).toEqual([1, 4, 1]);
    expect(entries[0]).toEqual({ time: undefined, text: "booting…" });
    expect(entries[1]?.time).toBe(Date.parse("2026-11-25T20:01:02.345Z"));
    expect(entries[2]?.time).toBe(Date.parse("2026-11-25T20:01:03.500Z"));
  });

  it("reads timestamps with zones and strips timestamp, level and the service's logger from messages", () => {
    expect(timestampOf("2026-11-25T21:01:02+01:00 x")).toBe(Date.parse("2026-11-25T20:01:02Z"));
    expect(timestampOf("[2026-11-25 20:01:02.123456] x")).toBe(Date.parse("2026-11-25T20:01:02.123Z"));
    expect(timestampOf("no time here")).toBeUndefined();
    expect(messageOf("2026-11-25T20:01:02.345Z ERROR web order failed", "web")).toBe("order failed");
    expect(messageOf("2026-11-25T20:01:02.345Z [error] websocket closed", "web")).toBe("websocket closed");
  });

  it("parses logfmt and JSON access lines, only those with the marker", () => {
    const line =
      '2026-11-25T20:01:02.345Z INFO web access method=POST path="/a b" item_id=item-1-3 status=500 duration_ms=3.1';
    expect(parseAccessLine(line, access)).toEqual({
      status: 500,
      durationMs: 3.1,
      fields: { method: "POST", path: "/a b", item_id: "item-1-3", status: "500", duration_ms: "3.1" },
    });
    expect(parseAccessLine("2026-11-25 INFO web started port=80 status=1", access)).toBeUndefined();
    const jsonSpec = { ...access, format: "json" as const, marker: undefined };
    expect(parseAccessLine('web | {"status": 502, "user": {"id": 7}, "duration_ms": 12}', jsonSpec)).toEqual({
      status: 502,
      durationMs: 12,
      fields: { status: "502", user: '{"id":7}', duration_ms: "12" },
    });
  });
});

describe("alert window", () => {
  it("reads the expression from the generator URL and reaches back by the rule's for and range", () => {
    const alert = shopAlert(0, { startsAt: "2026-11-25T20:10:00Z" });
    expect(exprFromGeneratorUrl(alert.generatorURL)).toMatch(/^sum\(rate\(http_requests_total\{job="web"/);
    expect(exprFromGeneratorUrl("/graph?g1.expr=x")).toBeUndefined();
    const w = alertWindow(alert, new Date("2026-11-25T20:12:00Z"), 10 + 60);
    expect([w.beforeStart, w.start, w.end].map((d) => d.toISOString())).toEqual([
      "2026-11-25T19:58:50.000Z",
      "2026-11-25T20:08:50.000Z",
      "2026-11-25T20:12:00.000Z",
    ]);
    const resolved = alertWindow(
      { ...alert, status: "resolved", endsAt: "2026-11-25T20:11:00Z" },
      new Date("2026-11-25T21:00:00Z"),
      0,
    );
    expect(resolved.end.toISOString()).toBe("2026-11-25T20:11:00.000Z");
  });
});

describe("source mapping", () => {
  const files = ["app.py", "shop/catalog.py", "lib/server.py", "tests/lib/server.py"];
  it("maps trace paths into the repo by path suffix, never library paths, never ambiguously", () => {
    expect(locateInRepo("/repo/shop/catalog.py", "/repo", files)).toBe("shop/catalog.py");
    expect(locateInRepo("/srv/app/shop/catalog.py", "/repo", files)).toBe("shop/catalog.py");
    expect(locateInRepo("/srv/app/app.py", "/repo", files)).toBe("app.py");
    expect(locateInRepo("/usr/lib/python3.11/http/server.py", "/repo", files)).toBeUndefined();
    expect(locateInRepo("/opt/venv/lib/python3.11/site-packages/app.py", "/repo", files)).toBeUndefined();
    expect(locateInRepo("/srv/x/server.py", "/repo", files)).toBeUndefined(); // lib/ or tests/lib/?
    expect(locateInRepo("/srv/tests/lib/server.py", "/repo", files)).toBe("tests/lib/server.py");
  });

  it("picks the diff hunk whose new side holds the line", () => {
    const diff = [
      "diff --git a/x.py b/x.py",
      "--- a/x.py",
      "+++ b/x.py",
      "@@ -1,3 +1,3 @@",
      " a",
      "-b",
      "+B",
      "@@ -10,2 +10,4 @@ def f():",
      " c",
      "+d",
      "+e",
      " f",
    ].join("\n");
    expect(hunkContaining(diff, 2)).toMatch(/^@@ -1,3 \+1,3 @@\n a\n-b\n\+B$/);
    expect(hunkContaining(diff, 12)).toMatch(/^@@ -10,2 \+10,4 @@ def f\(\):/);
    expect(hunkContaining(diff, 20)).toBeUndefined();
  });
});

describe("runbooks", () => {
  const docs = [
    parseRunbook("web/errors.md", "---\nservice: web\n---\n# Web errors\n"),
    parseRunbook("orders-error-rate-high.md", "# Something\n"),
    parseRunbook("exact.md", "---\nalerts: [OrdersErrorRateHigh]\ntitle: Orders\n---\nbody"),
  ];
  it("matches by front matter alerts, runbook_url, service, then the alert's name", () => {
    expect(bestRunbook(docs, "OrdersErrorRateHigh", "web", undefined)?.doc.path).toBe("exact.md");
    expect(bestRunbook(docs, "WebDown", "web", "https://wiki/x/orders-error-rate-high.md")?.how).toBe(
      "the alert's runbook_url",
    );
    expect(bestRunbook(docs, "WebDown", "web", undefined)?.doc.title).toBe("Web errors");
    expect(bestRunbook(docs.slice(1, 2), "OrdersErrorRateHigh", "db", undefined)?.how).toBe(
      "the alert name in its title or file name",
    );
    expect(bestRunbook(docs, "DbDown", "db", undefined)).toBeUndefined();
  });

  it("reads steps from numbered sections, numbered items, or bullets under a steps heading", () => {
    expect(stepsOf("## 1. Size it\n\n- look at\n  the ratio\n- split it\n\n## 2. Fix\n\nprose\n")).toEqual([
      "Size it: look at the ratio; split it",
      "Fix",
    ]);
    expect(stepsOf("# T\n\n1. one\n2) two\n- not a step\n")).toEqual(["one", "two"]);
    expect(stepsOf("# T\n\n- context\n\n## Mitigation\n\n* roll back\n* page\n")).toEqual([
      "roll back",
      "page",
    ]);
  });
});
