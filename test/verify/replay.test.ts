import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../src/runtime/ports.js";
import { type Outcome, PairedReplayer, type ReplayRequest } from "../../src/verify/replay.js";

interface Seen {
  server: number;
  method: string;
  path: string;
  body: string;
  /** Global arrival order across both servers. */
  order: number;
}

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

/** Two loopback servers that record what arrives and how many requests are in flight at once. */
async function twoServers(
  handle: (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void,
) {
  const seen: Seen[] = [];
  const state = { inFlight: 0, maxInFlight: 0, order: 0 };
  const urls: string[] = [];
  for (const server of [0, 1]) {
    const s = http.createServer((req, res) => {
      state.inFlight++;
      state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        seen.push({ server, method: req.method ?? "", path: req.url ?? "", body, order: state.order++ });
        res.on("finish", () => state.inFlight--);
        res.on("close", () => {
          if (!res.writableFinished) state.inFlight--;
        });
        handle(req, res, body);
      });
    });
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    servers.push(s);
    urls.push(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
  }
  return { seen, state, urls: urls as [string, string] };
}

const plan = (n: number): ReplayRequest[] =>
  Array.from({ length: n }, (_, i) => ({
    method: "POST",
    path: `/r/${i}`,
    headers: { "content-type": "application/json" },
    body: `{"i": ${i}}`,
  }));

describe("paired replay", () => {
  it("sends the same sequence to both sides, alternating which goes first, within the concurrency", async () => {
    const { seen, state, urls } = await twoServers((_req, res) => {
      setTimeout(() => res.end("ok"), 5);
    });
    const replayer = new PairedReplayer(urls, { concurrency: 4, timeoutMs: 2000 });
    const pairs: [number, Outcome, Outcome][] = [];
    const completed = await replayer.run(plan(40), 0, 40, (i, [a, b]) => pairs.push([i, a, b]));
    await replayer.close();

    expect(completed).toBe(40);
    expect(pairs.map(([i]) => i).sort((a, b) => a - b)).toEqual([...Array(40).keys()]);
    for (const server of [0, 1]) {
      const got = seen.filter((s) => s.server === server);
      expect(got.map((s) => s.path).sort()).toEqual(
        plan(40)
          .map((r) => r.path)
          .sort(),
      );
      expect(got.every((s) => s.method === "POST" && s.body === `{"i": ${s.path.split("/")[2]}}`)).toBe(true);
    }
    for (let i = 0; i < 40; i++) {
      const [first] = seen.filter((s) => s.path === `/r/${i}`).sort((a, b) => a.order - b.order);
      expect(first?.server).toBe(i % 2);
    }
    expect(state.maxInFlight).toBe(4);
    for (const [, a, b] of pairs) {
      expect(a.status).toBe(200);
      expect(b.status).toBe(200);
      expect(a.latencyMs).toBeGreaterThanOrEqual(4);
    }
  });

  it("continues a sequence from where the previous batch stopped", async () => {
    const { seen, urls } = await twoServers((_req, res) => res.end("ok"));
    const replayer = new PairedReplayer(urls, { concurrency: 3, timeoutMs: 2000 });
    await replayer.run(plan(30), 0, 10, () => {});
    await replayer.run(plan(30), 10, 30, () => {});
    await replayer.close();
    expect(
      seen
        .filter((s) => s.server === 0)
        .map((s) => s.path)
        .sort(),
    ).toEqual(
      plan(30)
        .map((r) => r.path)
        .sort(),
    );
  });

  it("records server errors with a body sample, timeouts, and refused connections as failures", async () => {
    const { urls } = await twoServers((req, res) => {
      if (req.url === "/r/0") {
        res.statusCode = 503;
        res.end("upstream pricing unavailable");
      } else if (req.url === "/r/1") {
        setTimeout(() => res.end("late"), 1500);
      } else res.end("ok");
    });
    const replayer = new PairedReplayer(urls, { concurrency: 2, timeoutMs: 300 });
    const outcomes = new Map<number, [Outcome, Outcome]>();
    await replayer.run(plan(3), 0, 3, (i, o) => outcomes.set(i, o));
    await replayer.close();
    expect(outcomes.get(0)?.[0]).toMatchObject({ status: 503, sample: "upstream pricing unavailable" });
    expect(outcomes.get(1)?.[1]).toMatchObject({ failure: "timeout" });
    expect(outcomes.get(1)?.[1]?.latencyMs).toBeGreaterThanOrEqual(290);
    expect(outcomes.get(2)?.[0]).toEqual({ status: 200, latencyMs: expect.any(Number) });

    const closed = `http://127.0.0.1:${await freePort()}`;
    const refused = new PairedReplayer([urls[0], closed], { concurrency: 1, timeoutMs: 300 });
    const got: [Outcome, Outcome][] = [];
    const ok: ReplayRequest = { method: "GET", path: "/ok", headers: {} };
    await refused.run([ok, ok], 0, 2, (_, o) => got.push(o));
    await refused.close();
    expect(got.map(([, b]) => b.failure)).toEqual(["connection", "connection"]);
    expect(got.map(([a]) => a.status)).toEqual([200, 200]);
  });

  it("stops mid-run: in-flight pairs are dropped and the run returns", async () => {
    const { urls } = await twoServers((_req, res) => {
      setTimeout(() => res.end("ok"), 50);
    });
    const replayer = new PairedReplayer(urls, { concurrency: 2, timeoutMs: 5000 });
    let pairs = 0;
    const run = replayer.run(plan(1000), 0, 1000, () => {
      if (++pairs === 5) replayer.stop();
    });
    const completed = await run;
    expect(completed).toBe(pairs);
    expect(completed).toBeLessThan(10);
  });
});
