#!/usr/bin/env node
/**
 * `npm run bench`: every benchmark, each next to its peer in the same run, printed as numbers and
 * ratios. Brings the demo world up and down itself; takes a few minutes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fetchActiveAlerts } from "../alerts/alertmanager.js";
import { runWorld } from "../cli/run-world.js";
import { benchTemplateMining } from "../investigate/mining/bench.js";
import { loadManifest } from "../manifest/load.js";
import { down, up } from "../runtime/lifecycle.js";
import { benchIntake } from "./intake.js";
import { benchInvestigate } from "./investigate.js";
import { benchLoadGenerator } from "./verify.js";

const demoManifest = path.resolve(import.meta.dirname, "../../examples/checkout/fixloop.yaml");
const only = process.argv.slice(2);
const wanted = (name: string) => only.length === 0 || only.includes(name);
const print = (line: string) => process.stdout.write(`${line}\n`);
const fixed = (n: number, digits = 1) => n.toFixed(digits);

async function withDemoWorld<T>(scenario: string, fn: (stateDir: string) => Promise<T>): Promise<T> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "fixloop-bench-"));
  const envm = loadManifest(demoManifest, { scenario, stateDir });
  try {
    const state = await up(envm);
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && (await fetchActiveAlerts(state.alertmanagerUrl as string)).length === 0)
      await sleep(500);
    return await fn(stateDir);
  } finally {
    await down(envm);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

if (wanted("mining")) {
  const r = await benchTemplateMining(1_000_000);
  print(
    `template mining      ${Math.round(r.linesPerSecond).toLocaleString("en")} lines/s (${r.lines.toLocaleString("en")} lines in ${fixed(r.seconds, 2)} s, ${r.templates} templates)`,
  );
}

if (wanted("loadgen")) {
  const r = await benchLoadGenerator();
  print(
    `load generator       ours ${Math.round(r.ours.rps)} req/s vs autocannon ${Math.round(r.autocannon.rps)} req/s → ratio ${fixed(r.ratio, 2)}× (target ≥ ${r.target}×); client CPU/request ratio ${fixed(r.cpuRatio, 2)}× (concurrency ${r.concurrency}, ${r.rounds} rounds)`,
  );
}

if (wanted("intake")) {
  const r = await benchIntake();
  print(
    `webhook intake       ${Math.round(r.alertsPerSecond)} alerts/s into SQLite on disk vs trivial server ${Math.round(r.trivialPerSecond)} req/s → ${fixed(r.ratio, 2)}×; p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms; ${r.incidentsStored}/${r.posts} incidents stored`,
  );
}

if (wanted("investigate")) {
  const r = await withDemoWorld("catalog-shape", (stateDir) =>
    benchInvestigate(demoManifest, { stateDir, runs: 20 }),
  );
  print(
    `alert → report       p50 ${r.p50Ms} ms, p95 ${r.p95Ms} ms, max ${r.maxMs} ms over ${r.runs} runs (${r.alert}, target p50 < 1000 ms, no LLM)`,
  );
}

if (wanted("pipeline")) {
  for (const scenario of ["catalog-shape", "pricing-v2"]) {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), "fixloop-bench-run-"));
    const envm = loadManifest(demoManifest, { scenario, stateDir });
    const r = await runWorld({
      manifestFile: demoManifest,
      scenario,
      stateDir,
      until: 1,
      untilAlert: envm.manifest.scenarios[scenario]?.alert,
      timeoutMs: 300_000,
      onProgress: () => {},
    });
    rmSync(stateDir, { recursive: true, force: true });
    const i = r.incidents[0];
    const stages = Object.entries(i?.stageSeconds ?? {})
      .map(([s, sec]) => `${s} ${fixed(sec)} s`)
      .join(", ");
    print(
      `alert → verdict      ${scenario}: ${i?.outcome ?? "none"} in ${fixed(i?.alertToVerdictSeconds ?? Number.NaN)} s after the alert started (${stages}); world up ${fixed(r.upSeconds)} s, first alert ${fixed(r.firstAlertSeconds ?? Number.NaN)} s`,
    );
  }
}
