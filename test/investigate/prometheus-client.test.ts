import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { PrometheusClient, PrometheusError } from "../../src/monitoring/prometheus-client.js";

/** A stand-in Prometheus on 127.0.0.1 answering from a handler; every request it saw is kept. */
async function fakePrometheus(handler: (url: URL, res: ServerResponse) => void) {
  const seen: URL[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    seen.push(url);
    handler(url, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, seen };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

describe("PrometheusClient", () => {
  it("reads vectors, scalars, matrices, series and alerting rules", async () => {
    const prom = await fakePrometheus((url, res) => {
      const q = url.searchParams.get("query");
      if (url.pathname === "/api/v1/query" && q === "up")
        return json(res, 200, {
          status: "success",
          data: { resultType: "vector", result: [{ metric: { job: "web" }, value: [1700000000, "1"] }] },
        });
      if (url.pathname === "/api/v1/query")
        return json(res, 200, {
          status: "success",
          data: { resultType: "scalar", result: [1700000000, "0.25"] },
        });
      if (url.pathname === "/api/v1/query_range")
        return json(res, 200, {
          status: "success",
          data: {
            resultType: "matrix",
            result: [
              {
                metric: {},
                values: [
                  [1, "0.5"],
                  [2, "NaN"],
                ],
              },
            ],
          },
        });
      if (url.pathname === "/api/v1/series")
        return json(res, 200, { status: "success", data: [{ __name__: "up", job: "web" }] });
      if (url.pathname === "/api/v1/rules")
        return json(res, 200, {
          status: "success",
          data: {
            groups: [
              {
                rules: [
                  { type: "recording", name: "job:up", query: "sum(up)" },
                  {
                    type: "alerting",
                    name: "Down",
                    query: "up == 0",
                    duration: 30,
                    labels: { severity: "page" },
                    annotations: {},
                  },
                ],
              },
            ],
          },
        });
      json(res, 404, {});
    });
    const client = new PrometheusClient(prom.url);
    expect(await client.query("up", new Date(1_700_000_000_000))).toEqual([
      { metric: { job: "web" }, time: 1700000000, value: 1 },
    ]);
    expect(prom.seen[0]?.searchParams.get("time")).toBe("1700000000.000");
    expect(await client.query("scalar(1)")).toEqual([{ metric: {}, time: 1700000000, value: 0.25 }]);
    const range = await client.queryRange("x", new Date(0), new Date(10_000), 2.4);
    expect(range[0]?.points[0]).toEqual({ time: 1, value: 0.5 });
    expect(Number.isNaN(range[0]?.points[1]?.value)).toBe(true);
    expect(prom.seen[2]?.searchParams.get("step")).toBe("2");
    expect(await client.series('{job="web"}', new Date(0), new Date(1000))).toEqual([
      { __name__: "up", job: "web" },
    ]);
    expect(prom.seen[3]?.searchParams.get("match[]")).toBe('{job="web"}');
    expect(await client.alertingRules()).toEqual([
      { name: "Down", query: "up == 0", forSeconds: 30, labels: { severity: "page" }, annotations: {} },
    ]);
  });

  it("reports Prometheus's own error, an unreachable server, a slow answer, a spent budget and an oversized answer", async () => {
    const prom = await fakePrometheus((url, res) => {
      if (url.searchParams.get("query") === "slow") return; // never answers
      if (url.searchParams.get("query") === "big")
        return json(res, 200, {
          status: "success",
          data: { resultType: "vector", result: [], pad: "x".repeat(5000) },
        });
      json(res, 400, { status: "error", errorType: "bad_data", error: 'parse error: unexpected "}"' });
    });
    const client = new PrometheusClient(prom.url, { timeoutMs: 300, maxBytes: 1024 });
    await expect(client.query("sum(}")).rejects.toThrow(
      /^\/api\/v1\/query answered HTTP 400: parse error: unexpected "}"$/,
    );
    await expect(client.query("slow")).rejects.toThrow(/no answer within 300 ms/);
    await expect(client.query("big")).rejects.toThrow(/answer larger than 1024 bytes/);
    await expect(new PrometheusClient(prom.url, { deadline: Date.now() - 1 }).query("up")).rejects.toThrow(
      "time budget spent before the request",
    );
    const down = new PrometheusClient("http://127.0.0.1:9");
    const err = await down.query("up").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrometheusError);
    expect((err as Error).message).toMatch(
      /^cannot reach Prometheus at http:\/\/127\.0\.0\.1:9: ECONNREFUSED/,
    );
  });
});
