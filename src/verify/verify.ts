import { mkdirSync } from "node:fs";
import path from "node:path";
import { diffStats, parseDiff } from "../bridge/diff.js";
import { defaultLimits, validateDiff } from "../bridge/validate.js";
import { UserError } from "../util/errors.js";
import { secretValues } from "../util/redact.js";
import { readTail } from "../util/tail.js";
import { alphaBudget, analyze, batchSizes } from "./analysis.js";
import { type Candidate, cloneSourceAtHead, startCandidates } from "./candidates.js";
import { quantileLabel } from "./conditions.js";
import { type Evidence, latencies, type SideEvidence, sides } from "./evidence.js";
import { errorSignatureDiff } from "./logs.js";
import { changedRequests } from "./pairs.js";
import { writeRationale } from "./rationale.js";
import { isError, type Outcome, PairedReplayer } from "./replay.js";
import type { CandidateRunner } from "./runner.js";
import { RunScope } from "./scope.js";
import { histogramEdges, summarizeSide } from "./signals.js";
import type { VerifyTarget } from "./target.js";
import { type PlannedRequest, planTraffic } from "./traffic.js";
import type { ChangedRequests, Side, Verdict, VerdictReason } from "./verdict.js";

export interface VerifyOptions {
  target: VerifyTarget;
  runner: CandidateRunner;
  /** The candidate fix: a unified diff against the repo's HEAD (empty: verify HEAD as it is). */
  patch: { diff: string; strategy?: string };
  /** Paired requests per side before the first look. Default 100. */
  requests?: number;
  /** Cap of the adaptive extension (batches double up to it). Default 1000. */
  maxRequests?: number;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  seed?: number;
  timeoutMs?: number;
  /** Family-wise error level of the verdict. Default 0.05. */
  alpha?: number;
  /** Aborting stops the run, releases everything, and throws a UserError (exit 130). */
  signal?: AbortSignal;
  onProgress?: (event: VerifyProgress) => void;
}

export type VerifyProgress =
  | { kind: "step"; message: string }
  | { kind: "replay"; done: number; target: number; errors: Record<Side, number> };

const rssSampleMs = 250;

/**
 * Verifies a patch: baseline and patched copies of the service (same HEAD, same live identity, own
 * ports, recording proxies in front of the real downstreams), a paired interleaved replay of the
 * alert's traffic, extended in doubling batches while the outcome is open, then the SLO, the
 * watchlist tests and the error logs decide PASS / REJECT / INCONCLUSIVE. Every process, proxy and
 * workspace is released before it returns or throws, Ctrl-C included.
 */
export async function verifyPatch(options: VerifyOptions): Promise<Verdict> {
  const started = Date.now();
  const { target, runner } = options;
  const initial = options.requests ?? 100;
  const max = Math.max(initial, options.maxRequests ?? 1000);
  const concurrency = options.concurrency ?? 4;
  const seed = options.seed ?? 1;
  const timeoutMs = options.timeoutMs ?? 5000;
  const family = options.alpha ?? 0.05;
  if (!(initial >= 1 && concurrency >= 1 && timeoutMs > 0))
    throw new UserError("--requests, --concurrency and the timeout must be positive");
  const step = (message: string) => options.onProgress?.({ kind: "step", message });
  const throwIfAborted = () => {
    if (options.signal?.aborted) throw new UserError("verification interrupted; candidates stopped", 130);
  };

  const looks = batchSizes(initial, max);
  const alpha = alphaBudget(family, looks.length, target.watch);
  const identity = runner.identity();
  const logDir = path.join(
    target.logRoot,
    `${new Date().toISOString().replace(/[:.]/g, "-")}-${target.service}`,
  );
  mkdirSync(logDir, { recursive: true });

  const diff = options.patch.diff;
  const empty = !diff.trim();
  const stats = empty ? { files: [], linesAdded: 0, linesRemoved: 0 } : diffStats(parseDiff(diff));
  const base = {
    schema: "fixloop.verdict/v1" as const,
    service: target.service,
    alert: target.alert,
    patch: { strategy: options.patch.strategy ?? "external", baseCommit: "", ...stats, diff, empty },
    run: {
      runner: runner.kind,
      seed,
      concurrency,
      timeoutMs,
      requestsPerSide: 0,
      batches: [] as number[],
      initialRequests: initial,
      maxRequests: max,
      alpha,
      identity: { command: identity.command, downstreams: identity.downstreams },
      logDir,
    },
  };
  const noRun = (outcome: Verdict["outcome"], reason: VerdictReason): Verdict =>
    finish({
      ...base,
      outcome,
      reasons: [reason],
      sides: {},
      watch: [],
      newlyFailing: noChanges,
      newlyPassing: noChanges,
      errorSignatures: { new: [], resolved: [] },
    });
  const finish = (v: Omit<Verdict, "rationale" | "headline" | "generatedAt" | "durationMs">): Verdict => {
    const headline = `${v.outcome}: ${(v.reasons[0]?.message ?? "").split("\n")[0]}`;
    const full = { ...v, headline, generatedAt: new Date().toISOString(), durationMs: Date.now() - started };
    return { ...full, rationale: writeRationale(full) };
  };

  // A verifier killed mid-run (kill -9 of the pipeline) left its candidates running: reap them first.
  const ledgerDir = path.join(target.logRoot, "held");
  RunScope.sweep(ledgerDir);
  const scope = new RunScope(ledgerDir);
  const plan = planTraffic(target.traffic, max, seed);
  const outcomes: Record<Side, (Outcome | undefined)[]> = { baseline: [], patched: [] };
  const sideState: Record<Side, { crashed: boolean; peakRss?: number }> = {
    baseline: { crashed: false },
    patched: { crashed: false },
  };
  let candidates: { baseline: Candidate; patched: Candidate } | undefined;
  let replayMs = 0;
  let atCap = false;
  let evidence: Evidence | undefined;
  try {
    const baselineSrc = await cloneSourceAtHead(scope, target.repo, "baseline");
    base.patch.baseCommit = baselineSrc.head;
    step(`baseline source: ${target.repo} at ${baselineSrc.head.slice(0, 12)}`);
    if (!empty) {
      const validation = await validateDiff(diff, {
        repo: target.repo,
        head: baselineSrc.head,
        check: target.check,
        limits: defaultLimits,
      });
      if (!validation.ok)
        return noRun("REJECT", {
          code: "invalid-patch",
          message: `invalid patch: ${validation.reasons.join("; ")}`,
        });
    }
    const patchedSrc = await cloneSourceAtHead(scope, target.repo, "patched", diff);
    if (patchedSrc.head !== baselineSrc.head)
      throw new UserError(`${target.repo}: HEAD moved during the run; retry`);
    step(
      empty
        ? "empty patch: the patched side runs HEAD unchanged"
        : `patch applied: ${stats.files.join(", ")}`,
    );

    const start = await startCandidates(
      scope,
      runner,
      target.service,
      { baseline: baselineSrc.dir, patched: patchedSrc.dir },
      logDir,
      step,
    );
    if (!start.ok)
      return noRun("INCONCLUSIVE", {
        code: "start-failed",
        message: `the ${start.side} candidate failed to start: ${start.message}`,
      });
    candidates = { baseline: start.baseline, patched: start.patched };
    throwIfAborted();
    const live = candidates;
    for (const side of sides) for (const p of live[side].proxies) p.reset();

    const replayer = new PairedReplayer([live.baseline.copy.url, live.patched.copy.url], {
      concurrency,
      timeoutMs,
    });
    scope.defer("close the load generator", () => replayer.close());
    const onAbort = () => replayer.stop();
    options.signal?.addEventListener("abort", onAbort);
    scope.defer("remove the abort listener", async () =>
      options.signal?.removeEventListener("abort", onAbort),
    );
    const watchdog = setInterval(() => {
      for (const side of sides) {
        const copy = live[side].copy;
        if (!copy.running()) {
          sideState[side].crashed = true;
          replayer.stop();
        } else {
          sideState[side].peakRss = Math.max(sideState[side].peakRss ?? 0, copy.rssBytes() ?? 0) || undefined;
        }
      }
    }, rssSampleMs);
    scope.defer("stop the watchdog", async () => clearInterval(watchdog));

    const errors: Record<Side, number> = { baseline: 0, patched: 0 };
    let done = 0;
    for (const [i, upTo] of looks.entries()) {
      const t0 = performance.now();
      await replayer.run(plan, done, upTo, (index, [b, p]) => {
        outcomes.baseline[index] = b;
        outcomes.patched[index] = p;
        if (isError(b)) errors.baseline++;
        if (isError(p)) errors.patched++;
        options.onProgress?.({ kind: "replay", done: ++done, target: upTo, errors: { ...errors } });
      });
      replayMs += performance.now() - t0;
      for (const side of sides) if (!live[side].copy.running()) sideState[side].crashed = true;
      throwIfAborted();
      base.run.batches.push(done);
      const stopped = sideState.baseline.crashed || sideState.patched.crashed;
      atCap = i === looks.length - 1 || stopped;
      const { decision } = analyze(collect(), target.slo, target.watch, alpha, atCap);
      if (decision.decisive) break;
      step(`after ${done} requests per side: ${decision.reasons[0]?.message}; extending`);
    }
    // Before the candidates stop: their shutdown abandons downstream calls that are not the run's.
    evidence = collect();
  } finally {
    const problems = await scope.close();
    for (const p of problems) step(`cleanup: ${p}`);
  }

  if (!evidence) throw new Error("no evidence after the replay");
  base.run.requestsPerSide = evidence.requests.length;
  const secrets = secretValues(identity.env, target.logs.secretEnv);
  const logs = sides.map((side) => readTail(path.join(logDir, `${side}.log`), 16 * 1024 * 1024));
  const errorSignatures = errorSignatureDiff(logs[0] as string, logs[1] as string, {
    entryStart: target.logs.entryStart,
    secrets,
  });
  const { input, decision } = analyze(evidence, target.slo, target.watch, alpha, atCap, errorSignatures.new);
  const quantiles = [
    ...(target.slo.target.kind === "latency" ? [target.slo.target.quantile] : []),
    ...target.watch.flatMap((w) => (w.target.kind === "latency" ? [w.target.quantile] : [])),
  ].filter((q, i, all) => all.indexOf(q) === i && !["p50", "p95", "p99"].includes(quantileLabel(q)));
  const edgesMs = histogramEdges(sides.map((s) => latencies(evidence[s], timeoutMs)));
  const summary = (side: Side) =>
    summarizeSide(side, evidence, {
      confidence: 1 - 2 * alpha.perLook,
      quantiles,
      edgesMs,
      pid: candidates?.[side].copy.pid ?? 0,
      logFile: path.join(logDir, `${side}.log`),
    });
  return finish({
    ...base,
    outcome: decision.outcome,
    reasons: decision.reasons,
    slo: input.slo,
    sides: { baseline: summary("baseline"), patched: summary("patched") },
    watch: input.watch,
    newlyFailing: input.newlyFailing,
    newlyPassing: changedRequests(evidence, "newly-passing"),
    errorSignatures,
  });

  /** The completed pairs so far, in sequence order. */
  function collect(): Evidence {
    const kept: number[] = [];
    for (let i = 0; i < plan.length; i++) if (outcomes.baseline[i] && outcomes.patched[i]) kept.push(i);
    const side = (s: Side): SideEvidence => ({
      outcomes: kept.map((i) => outcomes[s][i] as Outcome),
      downstream: Object.fromEntries((candidates?.[s].proxies ?? []).map((p) => [p.name, [...p.calls()]])),
      crashed: sideState[s].crashed,
      peakRssBytes: sideState[s].peakRss,
      replayMs,
    });
    return {
      requests: kept.map((i) => plan[i] as PlannedRequest),
      timeoutMs,
      downstreams: identity.downstreams,
      baseline: side("baseline"),
      patched: side("patched"),
    };
  }
}

const noChanges: ChangedRequests = { total: 0, groups: [], sharedValues: [] };
