import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { payload, recordingStages, startTestService, type TestService } from "../pipeline/helpers.js";
import { inParallel, post } from "./http.js";

const services: TestService[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
});

const token = "t0ken-for-tests";
const auth = { authorization: `Bearer ${token}` };
const valid = JSON.parse(payload([{ fingerprint: "fp-valid" }])) as Record<string, unknown> & {
  alerts: Record<string, unknown>[];
};
const alert0 = valid.alerts[0] as Record<string, unknown>;
const mib = 1024 * 1024;

interface Case {
  kind: string;
  body: string;
  headers: Record<string, string>;
  chunked?: boolean;
  expected: number;
}

/** Bodies a broken or hostile sender might post, each with the 4xx it must get. */
function malformed(i: number): Case {
  const bad = (kind: string, doc: unknown, expected = 400): Case => ({
    kind,
    body: typeof doc === "string" ? doc : JSON.stringify(doc),
    headers: auth,
    expected,
  });
  const withAlert = (kind: string, patch: Record<string, unknown>) =>
    bad(kind, { ...valid, alerts: [{ ...alert0, ...patch }] });
  const variants: (() => Case)[] = [
    () => bad("empty body", ""),
    () => bad("truncated JSON", payload([{ fingerprint: `t${i}` }]).slice(0, 10 + (i % 200))),
    () => bad("not JSON", `alert ${i} fired`),
    () =>
      bad(
        "binary",
        Buffer.from(Array.from({ length: 64 }, (_, k) => (i * 31 + k * 7) % 256)).toString("latin1"),
      ),
    () => bad("JSON scalar", String(i)),
    () => bad("JSON array", [valid]),
    () => bad("null", "null"),
    () => bad("wrong version", { ...valid, version: String(1 + (i % 3)) }),
    () => bad("numeric version", { ...valid, version: 4 }),
    () => bad("missing version", { ...valid, version: undefined }),
    () => bad("missing alerts", { ...valid, alerts: undefined }),
    () => bad("empty alerts", { ...valid, alerts: [] }),
    () => bad("alerts not a list", { ...valid, alerts: alert0 }),
    () => bad("bad group status", { ...valid, status: "pending" }),
    () => withAlert("no alertname", { labels: { service: "web" } }),
    () => withAlert("numeric label", { labels: { alertname: "X", code: 500 } }),
    () => withAlert("labels a string", { labels: "alertname=X" }),
    () => withAlert("bad startsAt", { startsAt: `yesterday ${i}` }),
    () => withAlert("numeric startsAt", { startsAt: 1_700_000_000 + i }),
    () => withAlert("bad alert status", { status: "firing!" }),
    () => withAlert("numeric fingerprint", { fingerprint: i }),
    () => bad("one bad alert among good ones", { ...valid, alerts: [alert0, { ...alert0, startsAt: null }] }),
    () => ({ kind: "huge, content-length", body: "x".repeat(mib + 1 + i), headers: auth, expected: 413 }),
    () => ({
      kind: "huge valid JSON, chunked",
      body: JSON.stringify({ ...valid, padding: "p".repeat(mib + i) }),
      headers: auth,
      chunked: true,
      expected: 413,
    }),
    () => ({ kind: "no auth", body: JSON.stringify(valid), headers: {}, expected: 401 }),
    () => ({
      kind: "wrong token",
      body: JSON.stringify(valid),
      headers: { authorization: `Bearer ${token}x` },
      expected: 401,
    }),
    () => ({
      kind: "basic instead of bearer",
      body: JSON.stringify(valid),
      headers: { authorization: `Basic ${Buffer.from(`u:${token}`).toString("base64")}` },
      expected: 401,
    }),
    () => ({
      kind: "malformed authorization",
      body: JSON.stringify(valid),
      headers: { authorization: "Bearer" },
      expected: 401,
    }),
    () => ({
      kind: "token in another header",
      body: JSON.stringify(valid),
      headers: { "x-token": token },
      expected: 401,
    }),
  ];
  // Huge bodies are a few percent of the mix: enough to prove the limit, cheap enough to send.
  const pick = i % 50 === 0 ? 22 : i % 50 === 25 ? 23 : (i * 7) % variants.length;
  return (variants[pick] as () => Case)();
}

describe("Alertmanager webhook intake", () => {
  it("answers 1,000 malformed, oversized and unauthenticated posts with the right 4xx, creates nothing, stays healthy", async () => {
    const { stages } = recordingStages();
    const s = await startTestService(stages, { auth: { bearerToken: token } });
    services.push(s);
    const url = `${s.url}/webhooks/alertmanager`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    const cases = Array.from({ length: 1000 }, (_, i) => malformed(i));
    const results = await inParallel(
      cases.map((c) => async () => ({
        c,
        res: await post(url, c.body, { headers: c.headers, chunked: c.chunked, agent }),
      })),
      16,
    );
    agent.destroy();
    const wrong = results
      .filter(({ c, res }) => res.status !== c.expected)
      .map(({ c, res }) => `${c.kind}: ${res.status} ${res.body}`);
    expect(wrong).toEqual([]);
    const kinds = new Set(cases.map((c) => c.kind));
    expect(kinds.size).toBeGreaterThanOrEqual(25);
    for (const { res } of results) expect(JSON.parse(res.body)).toHaveProperty("error");
    const wrongVersion = results.find(({ c }) => c.kind === "wrong version");
    expect(JSON.parse(wrongVersion?.res.body ?? "{}").error).toMatch(/version/);
    expect(results.filter(({ res }) => res.status === 413).length).toBeGreaterThanOrEqual(40);

    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
    const list = await fetch(`${s.url}/api/incidents`, { headers: auth });
    expect(((await list.json()) as { incidents: unknown[] }).incidents).toEqual([]);
    const metrics = await (await fetch(`${s.url}/metrics`, { headers: auth })).text();
    const counted = (code: number) =>
      Number(
        metrics.match(new RegExp(`fixloop_webhook_requests_total\\{code="${code}"\\} (\\d+)`))?.[1] ?? 0,
      );
    expect(counted(400) + counted(401) + counted(413)).toBe(1000);
    expect(counted(413)).toBe(results.filter(({ res }) => res.status === 413).length);
    // Still serving: a valid webhook after the barrage is accepted.
    const ok = await post(url, JSON.stringify(valid), { headers: auth });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body).created).toEqual([1]);
  });

  it("turns a concurrent burst of 1,000 notifications (200 alerts × 5 repeats) into exactly 200 incidents", async () => {
    const { stages } = recordingStages({ delayMs: 1 });
    const s = await startTestService(stages);
    services.push(s);
    const url = `${s.url}/webhooks/alertmanager`;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
    const results = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => {
        const n = (i * 37) % 200; // repeats interleave instead of arriving back to back
        const startsAt = `2025-03-01T10:${String(n % 60).padStart(2, "0")}:00Z`;
        return post(url, payload([{ fingerprint: `burst-${n}`, startsAt }]), { agent });
      }),
    );
    agent.destroy();
    expect(results.filter((r) => r.status !== 200)).toEqual([]);
    const created = results.flatMap((r) => (JSON.parse(r.body) as { created: number[] }).created);
    expect(created.length).toBe(200);
    const list = await s.list();
    expect(list.length).toBe(200);
    expect(new Set(list.map((i) => i.fingerprint)).size).toBe(200);
    expect(list.every((i) => i.notifications === 5)).toBe(true);
  });

  it("deduplicates regrouped notifications and records resolutions on the incident", async () => {
    const { stages } = recordingStages();
    const s = await startTestService(stages);
    services.push(s);
    const a = { fingerprint: "fp-a", startsAt: "2025-03-01T10:00:00Z" };
    const b = { fingerprint: "fp-b", startsAt: "2025-03-01T10:00:00.000000000Z" };
    const first = JSON.parse((await s.webhook(payload([a, b], "group-1"))).body);
    expect(first).toEqual({ created: [1, 2], repeated: [], resolved: [], ignored: 0 });
    // The same alerts in another group (regrouped), and b's start spelled differently.
    const regrouped = JSON.parse(
      (await s.webhook(payload([{ ...b, startsAt: "2025-03-01T10:00:00Z" }, a], "group-2"))).body,
    );
    expect(regrouped).toEqual({ created: [], repeated: [2, 1], resolved: [], ignored: 0 });
    // A new start of the same alert is a new incident.
    const refired = JSON.parse((await s.webhook(payload([{ ...a, startsAt: "2025-03-01T11:00:00Z" }]))).body);
    expect(refired.created).toEqual([3]);

    const resolved = JSON.parse(
      (
        await s.webhook(
          payload([
            { ...a, status: "resolved", endsAt: "2025-03-01T10:20:00Z" },
            { fingerprint: "fp-never-seen", status: "resolved", endsAt: "2025-03-01T10:20:00Z" },
          ]),
        )
      ).body,
    );
    expect(resolved).toEqual({ created: [], repeated: [], resolved: [1], ignored: 1 });
    const incident = await s.get(1);
    expect(incident.resolvedAt).toBe("2025-03-01T10:20:00.000Z");
    expect(incident.notifications).toBe(3);
    expect((await s.get(2)).resolvedAt).toBeUndefined();
    expect((await s.list()).length).toBe(3);
  });

  it("accepts basic auth as Alertmanager's http_config sends it and refuses other credentials", async () => {
    const { stages } = recordingStages();
    const s = await startTestService(stages, { auth: { basic: { username: "am", password: "p:ss w0rd" } } });
    services.push(s);
    const url = `${s.url}/webhooks/alertmanager`;
    const basic = (user: string, pass: string) => ({
      authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString("base64")}`,
    });
    const ok = await post(url, payload([{ fingerprint: "fp-basic" }]), { headers: basic("am", "p:ss w0rd") });
    expect(ok.status).toBe(200);
    const refused = await post(url, payload([{ fingerprint: "fp-basic" }]), { headers: basic("am", "p:ss") });
    expect(refused.status).toBe(401);
    expect(refused.headers["www-authenticate"]).toMatch(/^Basic realm="fixloop"/);
    expect((await fetch(`${s.url}/api/incidents`)).status).toBe(401);
    expect((await fetch(`${s.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });
});
