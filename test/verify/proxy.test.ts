import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../../src/runtime/ports.js";
import { type RecordingProxy, startRecordingProxy } from "../../src/verify/proxy.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function upstream(handle: http.RequestListener): Promise<string> {
  const s = http.createServer(handle);
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  cleanups.push(async () => {
    s.closeAllConnections();
    await new Promise<void>((r) => s.close(() => r()));
  });
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

async function proxyTo(target: string): Promise<RecordingProxy> {
  const p = await startRecordingProxy("pricing", target);
  cleanups.push(p.close);
  return p;
}

/** A plain node:http client call, as an app would make it; resolves with the status or the socket error. */
function call(
  url: string,
  options: { method?: string; body?: string; timeoutMs?: number } = {},
): Promise<{ status?: number; body?: string; headers?: http.IncomingHttpHeaders; error?: string }> {
  return new Promise((resolve) => {
    const req = http.request(url, { method: options.method ?? "GET", agent: false }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode, body, headers: res.headers }));
    });
    req.on("error", (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    if (options.timeoutMs) req.setTimeout(options.timeoutMs, () => req.destroy(new Error("client timeout")));
    req.end(options.body);
  });
}

describe("recording downstream proxy", () => {
  it("passes requests and answers through unchanged and records each call", async () => {
    const target = await upstream((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const status = req.url?.startsWith("/fail") ? 503 : 200;
        res.writeHead(status, { "content-type": "application/json", "x-upstream": "yes" });
        res.end(JSON.stringify({ method: req.method, url: req.url, body }));
      });
    });
    const proxy = await proxyTo(target);
    const ok = await call(`${proxy.url}/v1/price?item_id=item-142-3`);
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body ?? "")).toEqual({
      method: "GET",
      url: "/v1/price?item_id=item-142-3",
      body: "",
    });
    expect(ok.headers?.["x-upstream"]).toBe("yes");
    const posted = await call(`${proxy.url}/v2/quote`, { method: "POST", body: '{"items":["a"]}' });
    expect(JSON.parse(posted.body ?? "")).toEqual({
      method: "POST",
      url: "/v2/quote",
      body: '{"items":["a"]}',
    });
    const failed = await call(`${proxy.url}/fail`);
    expect(failed.status).toBe(503);
    expect(proxy.calls().map((c) => c.status)).toEqual([200, 200, 503]);
    expect(proxy.calls().every((c) => c.failure === undefined && c.latencyMs >= 0)).toBe(true);
    proxy.reset();
    expect(proxy.calls()).toEqual([]);
  });

  it("passes a dead downstream on as a dropped connection, and records it", async () => {
    const proxy = await proxyTo(`http://127.0.0.1:${await freePort()}`);
    const res = await call(`${proxy.url}/v1/price`);
    expect(res.status).toBeUndefined();
    expect(res.error).toMatch(/ECONNRESET|socket hang up/);
    expect(proxy.calls()).toEqual([{ failure: "connection", latencyMs: expect.any(Number) }]);
  });

  it("records a call the app gave up on (its own timeout) as abandoned", async () => {
    const target = await upstream((_req, res) => {
      setTimeout(() => res.end("too late"), 2000);
    });
    const proxy = await proxyTo(target);
    const res = await call(`${proxy.url}/slow`, { timeoutMs: 200 });
    expect(res.error).toBeDefined();
    await new Promise((r) => setTimeout(r, 100));
    expect(proxy.calls()).toEqual([{ failure: "abandoned", latencyMs: expect.any(Number) }]);
  });
});
