import type { Alert } from "../../../src/alerts/alert.js";
import type { Patch } from "../../../src/bridge/patch.js";
import { renderMarkdown } from "../../../src/investigate/render.js";
import type { Report } from "../../../src/investigate/report.js";
import type { IncidentRow, IncidentView } from "../../../src/server/ui/view.js";
import { seededRandom } from "../../../src/util/prng.js";
import { renderBundle } from "../../../src/verify/bundle.js";
import { parseSlo, watchList } from "../../../src/verify/conditions.js";
import { decide } from "../../../src/verify/decide.js";
import { type Evidence, latencies, type SideEvidence } from "../../../src/verify/evidence.js";
import { errorSignatureDiff } from "../../../src/verify/logs.js";
import { changedRequests } from "../../../src/verify/pairs.js";
import type { DownstreamCall } from "../../../src/verify/proxy.js";
import { writeRationale } from "../../../src/verify/rationale.js";
import type { Outcome } from "../../../src/verify/replay.js";
import { histogramEdges, summarizeSide } from "../../../src/verify/signals.js";
import { evaluateSlo } from "../../../src/verify/slo.js";
import type { PlannedRequest } from "../../../src/verify/traffic.js";
import type { Side, Verdict } from "../../../src/verify/verdict.js";
import { watchComparators } from "../../../src/verify/watch/registry.js";

/**
 * Verdicts as the verifier makes them: synthetic paired evidence (seeded, so every run is the same)
 * run through the verifier's own summaries, SLO judgement, watch comparators, decision, rationale and
 * proof bundle. The world: a `cart` service whose requests for items of shape 3 fail on the baseline.
 */

export type Scenario = "pass" | "reject-latency" | "inconclusive-start-failed" | "inconclusive-downstream";

const requestsPerSide = 400;
const timeoutMs = 2000;
const alpha = { family: 0.05, looks: 2, perLook: 0.025, perWatchTest: 0.05 / 2 / 4 };
const identity = {
  command: ["python3", "app.py"],
  downstreams: [{ name: "catalog", envVar: "CATALOG_URL", url: "http://127.0.0.1:18081" }],
};
const entryStart = "^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}";

const diff = `diff --git a/cart/pricing_rules.py b/cart/pricing_rules.py
index 3f2a9c1..8b7d0e4 100644
--- a/cart/pricing_rules.py
+++ b/cart/pricing_rules.py
@@ -40,9 +40,7 @@ def unit_price(item):
     shape = catalog_shape(item.item_id)
-    if shape == 3:
-        raise ValueError(f"unsupported catalog shape for item_id={item.item_id}")
-    return BASE_PRICES[shape] * item.quantity
+    return BASE_PRICES.get(shape, BASE_PRICES[0]) * item.quantity
 
 
 def catalog_shape(item_id):
`;

export const patch: Patch = {
  strategy: "revert-suspect-change",
  diff,
  rationale:
    'Reverts the hunk of 4e1c2d9 ("Reject unknown catalog shapes") that the failing frame points to: cart/pricing_rules.py:42 raises for shape 3.',
  baseCommit: "4e1c2d90b7aa51c3e0f5d2b8a9c4e7f1d3b6a2c8",
  files: ["cart/pricing_rules.py"],
  linesAdded: 1,
  linesRemoved: 3,
};

export function verdictFor(scenario: Scenario): Verdict {
  if (scenario === "inconclusive-start-failed") return startFailed();
  const evidence = evidenceFor(scenario);
  const slo = evaluateSlo(parseSlo("error_rate > 0.05"), evidence, {
    confidence: 1 - 2 * alpha.perLook,
    alpha: alpha.perLook,
  });
  const watch = watchList(["p50_ms:+20%", "p99_ms:+50%", "downstream_error_rate:+0.02"], []).map((spec) =>
    watchComparators[spec.target.kind](spec, { evidence, alpha: alpha.perWatchTest }),
  );
  const newlyFailing = changedRequests(evidence, "newly-failing");
  const errorSignatures = errorSignatureDiff(
    logFor(scenario, "baseline", evidence),
    logFor(scenario, "patched", evidence),
    {
      entryStart,
      secrets: [],
    },
  );
  const decision = decide({
    slo,
    watch,
    evidence,
    atCap: true,
    newlyFailing,
    newErrors: errorSignatures.new,
  });
  const edgesMs = histogramEdges([
    latencies(evidence.baseline, timeoutMs),
    latencies(evidence.patched, timeoutMs),
  ]);
  const summary = (side: Side, pid: number) =>
    summarizeSide(side, evidence, {
      confidence: 1 - 2 * alpha.perLook,
      quantiles: [],
      edgesMs,
      pid,
      logFile: `/tmp/fixloop-verify-7Qx/logs/${side}.log`,
    });
  return finish({
    ...base(),
    outcome: decision.outcome,
    reasons: decision.reasons,
    slo,
    sides: { baseline: summary("baseline", 41200), patched: summary("patched", 41201) },
    watch,
    newlyFailing,
    newlyPassing: changedRequests(evidence, "newly-passing"),
    errorSignatures,
  });
}

function startFailed(): Verdict {
  return finish({
    ...base(),
    outcome: "INCONCLUSIVE",
    reasons: [
      {
        code: "start-failed",
        message:
          "the patched candidate failed to start: exited with code 1 before answering on its port (ModuleNotFoundError: No module named 'cart.rules')",
      },
    ],
    sides: {},
    watch: [],
    newlyFailing: { total: 0, groups: [], sharedValues: [] },
    newlyPassing: { total: 0, groups: [], sharedValues: [] },
    errorSignatures: { new: [], resolved: [] },
  });
}

function base(): Omit<
  Verdict,
  | "rationale"
  | "headline"
  | "outcome"
  | "reasons"
  | "sides"
  | "watch"
  | "newlyFailing"
  | "newlyPassing"
  | "errorSignatures"
> {
  return {
    schema: "fixloop.verdict/v1",
    service: "cart",
    alert: "CartHighErrorRate",
    generatedAt: "2026-11-01T10:07:31.402Z",
    durationMs: 41_370,
    patch: {
      strategy: patch.strategy,
      baseCommit: patch.baseCommit,
      files: patch.files,
      linesAdded: patch.linesAdded,
      linesRemoved: patch.linesRemoved,
      diff: patch.diff,
      empty: false,
    },
    run: {
      runner: "local",
      seed: 42,
      concurrency: 8,
      timeoutMs,
      requestsPerSide,
      batches: [200, 400],
      initialRequests: 200,
      maxRequests: 400,
      alpha,
      identity,
      logDir: "/tmp/fixloop-verify-7Qx/logs",
    },
  };
}

function finish(v: Omit<Verdict, "rationale" | "headline">): Verdict {
  const first = v.reasons[0]?.message ?? "";
  const headline = `${v.outcome}: ${first.split("\n")[0]}`;
  return { ...v, headline, rationale: writeRationale({ ...v, headline }) };
}

function evidenceFor(scenario: Exclude<Scenario, "inconclusive-start-failed">): Evidence {
  const random = seededRandom(7);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const requests: PlannedRequest[] = Array.from({ length: requestsPerSide }, (_, index) => {
    const item = `sku-${100 + Math.floor(random() * 60)}-${Math.floor(random() * 10)}`;
    const quantity = String(1 + Math.floor(random() * 3));
    const body = JSON.stringify({ item_id: item, quantity: Number(quantity) });
    return {
      index,
      template: 0,
      method: "POST",
      path: "/cart/price",
      headers: { "content-type": "application/json" },
      body,
      vars: { item_id: item, quantity, shape: item.slice(-1) },
      description: `POST /cart/price ${body}`,
    };
  });
  const failsOnBaseline = (r: PlannedRequest) => r.vars.shape === "3";
  const downstreamDown = scenario === "inconclusive-downstream";
  const side = (s: Side): SideEvidence => {
    const outcomes: Outcome[] = [];
    const calls: DownstreamCall[] = [];
    for (const r of requests) {
      const callFails = downstreamDown && random() < 0.6;
      calls.push(
        callFails
          ? { status: 503, latencyMs: 2 + random() * 3 }
          : { status: 200, latencyMs: 3 + Math.exp(normal() * 0.3) * 2 },
      );
      const fails =
        callFails || (s === "baseline" ? failsOnBaseline(r) : downstreamDown && failsOnBaseline(r));
      const slow = s === "patched" && scenario === "reject-latency" ? 300 : 0;
      const latencyMs = fails ? 6 + random() * 4 : slow + 14 * Math.exp(normal() * 0.35) + 4;
      outcomes.push(
        fails ? { status: 500, latencyMs, sample: '{"error": "internal"}' } : { status: 200, latencyMs },
      );
    }
    return {
      outcomes,
      downstream: { catalog: calls },
      crashed: false,
      peakRssBytes: (s === "baseline" ? 48 : 49) * 1048576,
      replayMs: scenario === "reject-latency" && s === "patched" ? 16_500 : 4_200,
    };
  };
  return {
    requests,
    timeoutMs,
    downstreams: identity.downstreams,
    baseline: side("baseline"),
    patched: side("patched"),
  };
}

function logFor(scenario: Scenario, side: Side, evidence: Evidence): string {
  const lines: string[] = [];
  evidence.requests.forEach((r, i) => {
    const o = evidence[side].outcomes[i];
    const at = `2026-11-01 10:07:${String(10 + (i % 50)).padStart(2, "0")},${String(i).padStart(3, "0")}`;
    if (o?.status === 500 && r.vars.shape === "3" && scenario !== "inconclusive-downstream")
      lines.push(
        `${at} ERROR cart.app: request failed`,
        "Traceback (most recent call last):",
        '  File "cart/pricing_rules.py", line 42, in unit_price',
        `ValueError: unsupported catalog shape for item_id=${r.vars.item_id}`,
      );
    else if (o?.status === 500)
      lines.push(`${at} ERROR cart.app: catalog answered 503 for item_id=${r.vars.item_id}`);
    else if (side === "patched" && scenario === "reject-latency" && i % 40 === 0)
      lines.push(
        `${at} ERROR cart.catalog: lookup for item_id=${r.vars.item_id} fell back to the slow path after 300 ms`,
      );
    else lines.push(`${at} INFO cart.app: priced item_id=${r.vars.item_id}`);
  });
  return lines.join("\n");
}

const alert: Alert = {
  name: "CartHighErrorRate",
  status: "firing",
  labels: { alertname: "CartHighErrorRate", service: "cart", severity: "page" },
  annotations: { summary: "cart error rate above 5% for 2 minutes" },
  startsAt: "2026-11-01T10:04:00.000Z",
  fingerprint: "5d41402abc4b2a76",
};

export const report: Report = {
  alert,
  service: "cart",
  generatedAt: "2026-11-01T10:06:02.118Z",
  summary:
    "cart fails 10.4% of `/cart/price` requests since 10:02 with `ValueError: unsupported catalog shape`; every failing request has an item id ending in `-3`. The raising line was added by commit 4e1c2d9 twenty minutes before the alert.",
  slo: {
    condition: "error_rate > 0.05",
    signal: "error_rate",
    comparator: ">",
    threshold: 0.05,
    value: 0.104,
    description: "error rate 10.4% against a 5% SLO (2.1× the threshold)",
  },
  errorSignature: {
    template: "ValueError: unsupported catalog shape for item_id=<*>",
    exceptionType: "ValueError",
    message: "unsupported catalog shape for item_id=sku-112-3",
    countInWindow: 41,
    countBefore: 0,
    sample:
      'Traceback (most recent call last):\n  File "cart/pricing_rules.py", line 42, in unit_price\nValueError: unsupported catalog shape for item_id=sku-112-3',
    frames: [{ file: "cart/pricing_rules.py", line: 42, function: "unit_price" }],
  },
  failingAttributes: [
    {
      attribute: "item_id",
      feature: "suffix",
      value: "-3",
      description: 'item_id ends in "-3"',
      trait: 'item_id ending in "-3"',
      failing: 41,
      failingTotal: 41,
      succeeding: 0,
      succeedingTotal: 353,
    },
  ],
  suspectChange: {
    commit: "4e1c2d90b7aa51c3e0f5d2b8a9c4e7f1d3b6a2c8",
    author: "Dana Reyes",
    authorDate: "2026-11-01T09:44:12Z",
    subject: "Reject unknown catalog shapes",
    file: "cart/pricing_rules.py",
    line: 42,
    hunk: '@@ -40,3 +40,5 @@ def unit_price(item):\n     shape = catalog_shape(item.item_id)\n+    if shape == 3:\n+        raise ValueError(f"unsupported catalog shape for item_id={item.item_id}")\n     return BASE_PRICES[shape] * item.quantity',
    reason: "git blame of the raising frame cart/pricing_rules.py:42",
    files: ["cart/pricing_rules.py"],
  },
  downstream: [
    {
      service: "catalog",
      errorRate: 0,
      p99Ms: 9,
      verdict: "healthy",
      description: "catalog answered every call in the window (p99 9 ms)",
    },
  ],
  recommendation: "Revert the raising hunk of 4e1c2d9, or map shape 3 to a price before raising.",
  runbook: {
    path: "runbooks/cart-errors.md",
    title: "Cart error rate",
    steps: ["Check the catalog's health", "Look for a recent deploy of cart"],
  },
  findings: [
    {
      analyzer: "error-signature",
      title: "41 × ValueError: unsupported catalog shape (new in the window)",
      detail:
        "| template | window | before |\n|---|---:|---:|\n| `ValueError: unsupported catalog shape for item_id=<*>` | 41 | 0 |",
      confidence: 0.9,
    },
    {
      analyzer: "suspect-change",
      title: "4e1c2d9 added the raising line",
      detail: "blame",
      confidence: 0.85,
    },
  ],
  missingEvidence: [],
  confidence: 0.86,
  evidenceLog: [
    {
      source: "prometheus",
      action: 'sum(rate(http_requests_total{service="cart",status=~"5.."}[2m]))',
      startedAt: "2026-11-01T10:06:00.100Z",
      durationMs: 12,
      ok: true,
    },
    {
      source: "git",
      action: "git blame -L 42,42 cart/pricing_rules.py",
      startedAt: "2026-11-01T10:06:01.000Z",
      durationMs: 31,
      ok: true,
    },
  ],
  cause: "commit 4e1c2d9 raises ValueError for catalog shape 3",
};

export const reportMarkdown = renderMarkdown(report);

const outcomeOf: Record<Scenario, IncidentRow["outcome"]> = {
  pass: "PASS",
  "reject-latency": "REJECT",
  "inconclusive-start-failed": "INCONCLUSIVE",
  "inconclusive-downstream": "INCONCLUSIVE",
};

/** A concluded incident with every part the pipeline produces. */
export function incidentView(scenario: Scenario, id = `inc-${scenario}`): IncidentView {
  const verdict = verdictFor(scenario);
  return {
    row: {
      id,
      alertName: "CartHighErrorRate",
      service: "cart",
      stage: "done",
      outcome: outcomeOf[scenario],
      receivedAt: "2026-11-01T10:05:58.000Z",
      concludedAt: "2026-11-01T10:07:31.402Z",
      summary: verdict.headline,
    },
    reportMarkdown,
    patch,
    verdict,
    bundleMarkdown: renderBundle(verdict),
    stageTimes: [
      {
        stage: "investigating",
        startedAt: "2026-11-01T10:05:58.000Z",
        finishedAt: "2026-11-01T10:06:02.118Z",
      },
      { stage: "patching", startedAt: "2026-11-01T10:06:02.118Z", finishedAt: "2026-11-01T10:06:50.032Z" },
      { stage: "verifying", startedAt: "2026-11-01T10:06:50.032Z", finishedAt: "2026-11-01T10:07:31.402Z" },
    ],
  };
}

/** An incident the pipeline is still working on. */
export function runningView(id = "inc-running"): IncidentView {
  return {
    row: {
      id,
      alertName: "CartLatencyHigh",
      service: "cart",
      stage: "verifying",
      receivedAt: "2026-11-01T11:00:00.000Z",
      summary: "investigation: p99 latency 840 ms against a 300 ms SLO",
    },
    reportMarkdown,
    patch,
    stageTimes: [
      {
        stage: "investigating",
        startedAt: "2026-11-01T11:00:00.000Z",
        finishedAt: "2026-11-01T11:00:04.500Z",
      },
      { stage: "patching", startedAt: "2026-11-01T11:00:04.500Z", finishedAt: "2026-11-01T11:00:06.000Z" },
      { stage: "verifying", startedAt: "2026-11-01T11:00:06.000Z" },
    ],
  };
}

export const listRows: IncidentRow[] = [
  incidentView("pass", "inc-0001").row,
  {
    ...incidentView("reject-latency", "inc-0002").row,
    receivedAt: "2026-11-01T10:20:00.000Z",
    concludedAt: "2026-11-01T10:21:12.000Z",
  },
  {
    ...incidentView("inconclusive-start-failed", "inc-0003").row,
    receivedAt: "2026-11-01T10:40:00.000Z",
    concludedAt: "2026-11-01T10:40:31.000Z",
  },
  runningView("inc-0004").row,
  {
    id: "inc-0000",
    alertName: "CartHighErrorRate",
    service: "cart",
    stage: "patching",
    outcome: "no-patch",
    receivedAt: "2026-11-01T09:10:00.000Z",
    concludedAt: "2026-11-01T09:10:09.000Z",
    summary: "no bridge strategy produced a candidate: no suspect change was found",
  },
];
