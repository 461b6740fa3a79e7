import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { IncidentStore } from "../../src/pipeline/store.js";
import { UserError } from "../../src/util/errors.js";
import { tempDir } from "../helpers/tmp.js";
import { payload, recordingStages, startTestService, type TestService } from "../pipeline/helpers.js";
import { post } from "./http.js";

const services: TestService[] = [];
const dirs: (() => void)[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  for (const cleanup of dirs.splice(0)) cleanup();
});

describe("the JSON API, health and metrics", () => {
  it("lists incidents newest first with paging, and answers unknown things with JSON 4xx", async () => {
    const { stages } = recordingStages({
      behave: { patch: async () => ({ reasons: ["no suspect change"] }) },
    });
    const s = await startTestService(stages);
    services.push(s);
    for (let i = 0; i < 5; i++) await s.webhook(payload([{ fingerprint: `page-${i}` }]));
    for (let id = 1; id <= 5; id++) await s.settled(id);

    const page = async (query: string) => {
      const res = await fetch(`${s.url}/api/incidents${query}`);
      return {
        status: res.status,
        body: (await res.json()) as { incidents?: { id: number }[]; error?: string },
      };
    };
    expect((await page("")).body.incidents?.map((i) => i.id)).toEqual([5, 4, 3, 2, 1]);
    expect((await page("?limit=2")).body.incidents?.map((i) => i.id)).toEqual([5, 4]);
    expect((await page("?limit=2&before=4")).body.incidents?.map((i) => i.id)).toEqual([3, 2]);
    for (const bad of ["?limit=0", "?limit=abc", "?limit=1001", "?before=-1"])
      expect((await page(bad)).status).toBe(400);

    const summary = (await page("?limit=1")).body.incidents?.[0];
    expect(summary).toMatchObject({
      id: 5,
      stage: "concluded",
      outcome: "no-patch",
      alertName: "ErrorRateHigh",
    });
    expect(summary).not.toHaveProperty("report");

    for (const url of [
      "/api/incidents/99",
      "/api/incidents/abc",
      "/api/incidents/1.5",
      "/api/incidents/99/report.md",
      "/nowhere",
    ]) {
      const res = await fetch(`${s.url}${url}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toHaveProperty("error");
    }
    const report = await fetch(`${s.url}/api/incidents/1/report.md`);
    expect(report.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(await report.text()).toMatch(/^# ErrorRateHigh/);
    expect((await post(`${s.url}/api/incidents/1/rerun`, "x".repeat(2 * 1024 * 1024))).status).toBe(413);
  });

  it("exposes incidents by stage and outcome, stage durations and webhook codes to Prometheus", async () => {
    const { stages } = recordingStages({
      behave: {
        verify: async (incident) => ({
          verdict: { outcome: incident.id === 1 ? "PASS" : "REJECT", rationale: "test" },
          markdown: "",
        }),
      },
    });
    const s = await startTestService(stages);
    services.push(s);
    await s.webhook(payload([{ fingerprint: "m-1" }, { fingerprint: "m-2" }]));
    await s.webhook("{");
    await s.settled(1);
    await s.settled(2);
    const res = await fetch(`${s.url}/metrics`);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toContain('fixloop_incidents{stage="concluded",outcome="PASS"} 1');
    expect(text).toContain('fixloop_incidents{stage="concluded",outcome="REJECT"} 1');
    expect(text).toContain('fixloop_webhook_requests_total{code="200"} 1');
    expect(text).toContain('fixloop_webhook_requests_total{code="400"} 1');
    expect(text).toMatch(/fixloop_stage_duration_seconds_count\{stage="verify",result="ok"\} 2/);
    expect(await (await fetch(`${s.url}/healthz`)).json()).toEqual({ status: "ok", schemaVersion: 1 });
  });
});

describe("the incident store file", () => {
  it("records its schema version and migrations, and refuses a store made by a newer fixloop", () => {
    const tmp = tempDir("fixloop-store-");
    dirs.push(tmp.cleanup);
    const file = IncidentStore.fileIn(tmp.dir);
    const store = IncidentStore.open(file);
    expect(store.schemaVersion).toBe(1);
    store.close();

    const db = new Database(file);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.prepare("SELECT version, name FROM schema_migrations").all()).toEqual([
      { version: 1, name: "incidents, stage attempts, serve lease" },
    ]);
    db.pragma("user_version = 7");
    db.close();
    expect(() => IncidentStore.open(file)).toThrow(UserError);
    expect(() => IncidentStore.open(file)).toThrow(/schema version 7, newer than this fixloop knows \(1\)/);
    expect(() => IncidentStore.open(path.join(tmp.dir, "fixloop.db", "nested.db"))).toThrow(UserError);
  });
});
