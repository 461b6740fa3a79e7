import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";
import { PairedReplayer, type ReplayRequest } from "../verify/replay.js";

/**
 * Requests per second of the verifier's paired-replay load generator against a trivial node:http
 * server on loopback, next to autocannon (programmatic API) on the same server in the same run,
 * with the same concurrency and connection count: each keeps `concurrency` requests in flight over
 * `concurrency` keep-alive connections (our two "sides" share one origin here, hence one pool).
 *
 * The server runs in its own process so it does not share the generators' event loop. The tools
 * take turns in short rounds (which one goes first alternates), each round gives a paired ratio,
 * and the median round counts: a busy neighbour slows both tools of a round alike instead of
 * deciding the result. The client CPU time per request (this process, where both tools run) is
 * reported too, as a view of the same cost that does not depend on the machine's load.
 * Target: ratio ≥ 0.9.
 */
export interface LoadGeneratorBench {
  concurrency: number;
  connections: number;
  secondsPerRound: number;
  rounds: number;
  /** Medians over the rounds. */
  ours: ToolResult;
  autocannon: ToolResult;
  /** Median over rounds of ours.rps / autocannon.rps. */
  ratio: number;
  /** Median over rounds of autocannon's CPU per request / ours (> 1: ours is cheaper). */
  cpuRatio: number;
  target: number;
}

export interface ToolResult {
  rps: number;
  /** Client CPU (user + system) per request, µs. */
  cpuMicrosPerRequest: number;
}

export interface LoadGeneratorBenchOptions {
  concurrency?: number;
  secondsPerRound?: number;
  rounds?: number;
}

interface AutocannonResult {
  requests: { total: number };
  duration: number;
  errors: number;
  non2xx: number;
}
type Autocannon = (opts: {
  url: string;
  connections: number;
  pipelining: number;
  duration: number;
}) => Promise<AutocannonResult>;

const serverScript = `
const http = require("node:http");
const server = http.createServer((req, res) => {
  req.resume();
  req.on("end", () => { res.writeHead(200, { "content-type": "text/plain", "content-length": "2" }); res.end("ok"); });
});
server.keepAliveTimeout = 30000;
server.listen(0, "127.0.0.1", () => process.stdout.write(server.address().port + "\\n"));
`;

export async function benchLoadGenerator(
  options: LoadGeneratorBenchOptions = {},
): Promise<LoadGeneratorBench> {
  const concurrency = options.concurrency ?? 16;
  const seconds = options.secondsPerRound ?? 1.5;
  const rounds = options.rounds ?? 6;
  const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;
  const { child, url } = await startServer();
  const runAutocannon = async (duration: number): Promise<ToolResult & { requests: number }> => {
    const cpu = process.cpuUsage();
    const r = await autocannon({ url, connections: concurrency, pipelining: 1, duration });
    const used = process.cpuUsage(cpu);
    if (r.errors > 0 || r.non2xx > 0)
      throw new Error(`autocannon saw ${r.errors} errors, ${r.non2xx} non-2xx`);
    return {
      requests: r.requests.total,
      rps: r.requests.total / r.duration,
      cpuMicrosPerRequest: (used.user + used.system) / r.requests.total,
    };
  };
  try {
    // Warm both paths (JIT, connections); the request count of a round of ours follows autocannon's.
    let perRound = (await runAutocannon(1)).requests * seconds;
    await runOurs(url, concurrency, 2000);
    const results: { ours: ToolResult; autocannon: ToolResult }[] = [];
    for (let round = 0; round < rounds; round++) {
      const pairs = Math.max(1000, Math.round(perRound / 2));
      let ours: ToolResult;
      let ac: ToolResult & { requests: number };
      if (round % 2 === 0) {
        ac = await runAutocannon(seconds);
        ours = await runOurs(url, concurrency, pairs);
      } else {
        ours = await runOurs(url, concurrency, pairs);
        ac = await runAutocannon(seconds);
      }
      perRound = ac.requests;
      results.push({ ours, autocannon: ac });
    }
    const med = (f: (r: (typeof results)[number]) => number) => median(results.map(f));
    return {
      concurrency,
      connections: concurrency,
      secondsPerRound: seconds,
      rounds,
      ours: {
        rps: Math.round(med((r) => r.ours.rps)),
        cpuMicrosPerRequest: fixed(
          med((r) => r.ours.cpuMicrosPerRequest),
          2,
        ),
      },
      autocannon: {
        rps: Math.round(med((r) => r.autocannon.rps)),
        cpuMicrosPerRequest: fixed(
          med((r) => r.autocannon.cpuMicrosPerRequest),
          2,
        ),
      },
      ratio: fixed(
        med((r) => r.ours.rps / r.autocannon.rps),
        3,
      ),
      cpuRatio: fixed(
        med((r) => r.autocannon.cpuMicrosPerRequest / r.ours.cpuMicrosPerRequest),
        3,
      ),
      target: 0.9,
    };
  } finally {
    child.kill("SIGKILL");
  }
}

async function runOurs(url: string, concurrency: number, pairs: number): Promise<ToolResult> {
  const request: ReplayRequest = { method: "GET", path: "/", headers: {} };
  const requests = new Array<ReplayRequest>(pairs).fill(request);
  const replayer = new PairedReplayer([url, url], { concurrency, timeoutMs: 5000 });
  let failed = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await replayer.run(requests, 0, pairs, (_, [a, b]) => {
    if (a.status !== 200 || b.status !== 200) failed++;
  });
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  await replayer.close();
  if (failed > 0) throw new Error(`the load generator saw ${failed} failed pairs`);
  return { rps: (pairs * 2) / seconds, cpuMicrosPerRequest: (used.user + used.system) / (pairs * 2) };
}

function startServer(): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", serverScript], { stdio: ["ignore", "pipe", "inherit"] });
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`bench server exited (${code})`)));
    child.stdout?.once("data", (d) => resolve({ child, url: `http://127.0.0.1:${String(d).trim()}` }));
  });
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

function fixed(x: number, digits: number): number {
  return Number(x.toFixed(digits));
}
