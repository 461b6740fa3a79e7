import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

/**
 * Webhook intake rate of the pipeline service with its store on disk (a SQLite file in a temp dir,
 * WAL, synchronous=FULL: every acknowledged alert is fsynced), next to a trivial node:http server
 * that answers 200 to the same posts, in the same run. Each server runs in a process of its own;
 * this process posts `posts` webhooks (one new alert each, so every post creates an incident) over
 * `concurrency` keep-alive connections. The service's stages wait to be stopped, so the worker
 * adds no writes of its own: this measures intake alone.
 */
export interface IntakeBench {
  posts: number;
  concurrency: number;
  /** Alerts acknowledged per second (one alert per post). */
  alertsPerSecond: number;
  trivialPerSecond: number;
  /** alertsPerSecond / trivialPerSecond. */
  ratio: number;
  /** Incidents in the store afterwards: every post must have created one. */
  incidentsStored: number;
  p50Ms: number;
  p99Ms: number;
}

const serviceScript = (serviceModule: string) => `
const { startService } = await import(${JSON.stringify(serviceModule)});
const idle = (_i, ...rest) => new Promise((_, reject) => {
  const signal = rest.at(-1);
  signal.addEventListener("abort", () => reject(signal.reason));
});
const s = await startService({ stateDir: process.argv[1], host: "127.0.0.1", port: 0 },
  { investigate: idle, patch: idle, verify: idle });
process.stdout.write(s.url + "\\n");
process.once("SIGTERM", () => s.close().then(() => process.exit(0)));
`;

const trivialScript = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => res.writeHead(200, { "content-type": "application/json" }).end('{"created":[]}'));
});
server.listen(0, "127.0.0.1", () => process.stdout.write("http://127.0.0.1:" + server.address().port + "\\n"));
`;

export async function benchIntake(
  options: { posts?: number; concurrency?: number } = {},
): Promise<IntakeBench> {
  const posts = options.posts ?? 5000;
  const concurrency = options.concurrency ?? 16;
  const stateDir = mkdtempSync(path.join(os.tmpdir(), "fixloop-bench-intake-"));
  const serviceModule = new URL("../server/service.js", import.meta.url).href;
  const service = await startChild(["--input-type=module", "-e", serviceScript(serviceModule), stateDir]);
  const trivial = await startChild(["-e", trivialScript]);
  try {
    const warmup = 200;
    await post(trivial.url, 0, warmup, concurrency, "warm");
    await post(service.url, 0, warmup, concurrency, "warm");
    const trivialRun = await post(trivial.url, 0, posts, concurrency, "bench");
    const serviceRun = await post(service.url, 0, posts, concurrency, "bench");
    const list = await fetch(`${service.url}/api/incidents?limit=1`);
    const newest = ((await list.json()) as { incidents: { id: number }[] }).incidents[0];
    const latencies = serviceRun.latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0);
    return {
      posts,
      concurrency,
      alertsPerSecond: Math.round(serviceRun.perSecond),
      trivialPerSecond: Math.round(trivialRun.perSecond),
      ratio: round(serviceRun.perSecond / trivialRun.perSecond),
      incidentsStored: (newest?.id ?? 0) - warmup,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
    };
  } finally {
    await stopChild(service.child);
    await stopChild(trivial.child);
    rmSync(stateDir, { recursive: true, force: true });
  }
}

/** Posts `count` webhooks with distinct alerts, `concurrency` at a time over keep-alive connections. */
async function post(
  url: string,
  first: number,
  count: number,
  concurrency: number,
  prefix: string,
): Promise<{ perSecond: number; latencies: number[] }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const target = `${url}/webhooks/alertmanager`;
  const latencies: number[] = [];
  let next = first;
  const lane = async () => {
    while (next < first + count) {
      const body = webhook(`${prefix}-${next++}`);
      const started = performance.now();
      const status = await send(target, body, agent);
      latencies.push(performance.now() - started);
      if (status !== 200) throw new Error(`${target} answered HTTP ${status}`);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, lane));
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return { perSecond: count / seconds, latencies };
}

function webhook(fingerprint: string): string {
  const labels = { alertname: "ErrorRateHigh", service: "web", instance: fingerprint };
  return JSON.stringify({
    version: "4",
    groupKey: `{}:{alertname="ErrorRateHigh"}`,
    status: "firing",
    receiver: "fixloop",
    groupLabels: { alertname: "ErrorRateHigh" },
    commonLabels: labels,
    commonAnnotations: { summary: "error rate above the SLO" },
    externalURL: "http://alertmanager.invalid",
    alerts: [
      {
        status: "firing",
        labels,
        annotations: { summary: "error rate above the SLO" },
        startsAt: "2025-03-01T10:00:00Z",
        endsAt: "0001-01-01T00:00:00Z",
        generatorURL: "http://prometheus.invalid/graph",
        fingerprint,
      },
    ],
  });
}

function send(url: string, body: string, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: "POST",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

async function startChild(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (d) => {
      out += d;
      const line = out.match(/^(http:\/\/\S+)\n/)?.[1];
      if (line) resolve(line);
    });
    child.once("exit", (code) => reject(new Error(`bench server exited with ${code} before listening`)));
  });
  return { child, url };
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
