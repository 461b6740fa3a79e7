import { afterEach, describe, expect, it } from "vitest";
import type { StageName } from "../../src/pipeline/incident.js";
import { UserError } from "../../src/util/errors.js";
import { tempDir } from "../helpers/tmp.js";
import { post } from "../server/http.js";
import {
  patchFor,
  payload,
  recordingStages,
  type StageCall,
  startTestService,
  type TestService,
  untilAborted,
  waitFor,
} from "./helpers.js";

const services: TestService[] = [];
const dirs: (() => void)[] = [];
afterEach(async () => {
  for (const s of services.splice(0)) await s.close();
  for (const cleanup of dirs.splice(0)) cleanup();
});

async function start(...args: Parameters<typeof startTestService>): Promise<TestService> {
  const s = await startTestService(...args);
  services.push(s);
  return s;
}

async function fire(s: TestService, count: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) {
    const res = await s.webhook(payload([{ fingerprint: `fp-${i}` }]));
    expect(res.status).toBe(200);
    ids.push(...(JSON.parse(res.body) as { created: number[] }).created);
  }
  return ids;
}

const order = (calls: StageCall[], stage: StageName) =>
  calls.filter((c) => c.stage === stage && c.event === "start").map((c) => c.id);

describe("the pipeline worker (real store, real HTTP, stages written in the test)", () => {
  it("runs investigate → patch → verify per incident, oldest incident first, and stores every artifact", async () => {
    const { stages, calls } = recordingStages();
    const s = await start(stages, { worker: { concurrency: { investigate: 1, patch: 1, verify: 1 } } });
    const ids = await fire(s, 4);
    for (const id of ids) {
      const incident = await s.settled(id);
      expect(incident.stage).toBe("concluded");
      expect(incident.outcome).toBe("PASS");
      expect(incident.headline).toBe("PASS: SLO cleared");
      expect(incident.history.map((h) => `${h.stage}:${h.result}`)).toEqual([
        "investigate:ok",
        "patch:ok",
        "verify:ok",
      ]);
      const at = (stage: StageName, event: "start" | "end") =>
        calls.findIndex((c) => c.id === id && c.stage === stage && c.event === event);
      expect(at("investigate", "end")).toBeLessThan(at("patch", "start"));
      expect(at("patch", "end")).toBeLessThan(at("verify", "start"));
    }
    for (const stage of ["investigate", "patch", "verify"] as const) expect(order(calls, stage)).toEqual(ids);

    const id = ids[2] as number;
    const diff = await fetch(`${s.url}/api/incidents/${id}/patch.diff`);
    expect(diff.headers.get("content-type")).toMatch(/text\/x-diff/);
    expect(await diff.text()).toContain(`-broken = ${id}`);
    expect(await (await fetch(`${s.url}/api/incidents/${id}/report.md`)).text()).toContain("test report");
    expect(await (await fetch(`${s.url}/api/incidents/${id}/bundle.md`)).text()).toContain(`incident ${id}`);
    const list = await s.list();
    expect(list.map((i) => i.id)).toEqual([...ids].reverse());
    expect(list.every((i) => i.outcome === "PASS" && i.stage === "concluded")).toBe(true);
  });

  it("never runs more than 2 investigations, 1 patch and 1 verification at once by default", async () => {
    const { stages, maxActive } = recordingStages({ delayMs: 40 });
    const s = await start(stages);
    const ids = await fire(s, 6);
    for (const id of ids) expect((await s.settled(id)).outcome).toBe("PASS");
    expect(maxActive).toEqual({ investigate: 2, patch: 1, verify: 1 });
  });

  it("aborts a stage at its timeout, records it, retries, and fails the incident when attempts run out", async () => {
    const aborted: string[] = [];
    const { stages } = recordingStages({
      behave: {
        investigate: async (_incident, signal) => {
          signal.addEventListener("abort", () => aborted.push(String(signal.reason)));
          return untilAborted(signal);
        },
      },
    });
    const s = await start(stages, {
      worker: { timeoutsMs: { investigate: 150 }, maxAttempts: 2, retryDelayMs: 0 },
    });
    const [id] = await fire(s, 1);
    const incident = await s.settled(id as number);
    expect(incident.stage).toBe("failed");
    expect(incident.failedStage).toBe("investigate");
    expect(incident.error).toBe("investigate timed out after 150 ms");
    expect(incident.history.map((h) => [h.attempt, h.result])).toEqual([
      [1, "timeout"],
      [2, "timeout"],
    ]);
    expect(aborted).toEqual([
      "Error: investigate timed out after 150 ms",
      "Error: investigate timed out after 150 ms",
    ]);
    expect(incident.report).toBeUndefined();
  });

  it("retries a stage that threw, keeps the error of each attempt, and fails at once on a UserError", async () => {
    let patchCalls = 0;
    const { stages, calls } = recordingStages({
      behave: {
        patch: async (incident) => {
          patchCalls++;
          if (incident.alertName === "Misconfigured") throw new UserError("services.web has no repo");
          if (patchCalls === 1) throw new Error("git clone failed: disk full");
          return { patch: patchFor(incident) };
        },
      },
    });
    const s = await start(stages, { worker: { retryDelayMs: 0 } });
    const [flaky] = await fire(s, 1);
    const recovered = await s.settled(flaky as number);
    expect(recovered.outcome).toBe("PASS");
    expect(recovered.history.map((h) => `${h.stage}#${h.attempt}:${h.result}:${h.error ?? ""}`)).toEqual([
      "investigate#1:ok:",
      "patch#1:error:git clone failed: disk full",
      "patch#2:ok:",
      "verify#1:ok:",
    ]);

    const res = await s.webhook(payload([{ name: "Misconfigured", fingerprint: "fp-user" }]));
    const [misconfigured] = (JSON.parse(res.body) as { created: number[] }).created;
    const failed = await s.settled(misconfigured as number);
    expect(failed).toMatchObject({
      stage: "failed",
      failedStage: "patch",
      attempts: 1,
      error: "services.web has no repo",
    });
    expect(calls.some((c) => c.id === misconfigured && c.stage === "verify")).toBe(false);
  });

  it("concludes as no-patch with the bridge's reasons, without verifying", async () => {
    const { stages, calls } = recordingStages({
      behave: { patch: async () => ({ reasons: ["auto: the report names no suspect change to revert"] }) },
    });
    const s = await start(stages);
    const [id] = await fire(s, 1);
    const incident = await s.settled(id as number);
    expect(incident).toMatchObject({
      stage: "concluded",
      outcome: "no-patch",
      noPatchReasons: ["auto: the report names no suspect change to revert"],
      headline: "no patch: auto: the report names no suspect change to revert",
    });
    expect(calls.filter((c) => c.stage === "verify")).toEqual([]);
    expect((await fetch(`${s.url}/api/incidents/${id}/patch.diff`)).status).toBe(404);
    expect((await fetch(`${s.url}/api/incidents/${id}/bundle.md`)).status).toBe(404);
  });

  it("resumes an interrupted verification after a restart without counting the interruption", async () => {
    const first = recordingStages({ behave: { verify: async (_i, _r, _p, signal) => untilAborted(signal) } });
    const tmp = tempDir("fixloop-resume-");
    dirs.push(tmp.cleanup);
    const s1 = await startTestService(first.stages, { stateDir: tmp.dir });
    const [id] = await fire(s1, 1);
    await waitFor("the verification to start", async () =>
      first.calls.some((c) => c.stage === "verify" && c.event === "start") ? true : undefined,
    );
    await s1.close(); // graceful: the running stage is interrupted and runs again at the next start

    const second = recordingStages();
    const s2 = await start(second.stages, { stateDir: tmp.dir });
    const incident = await s2.settled(id as number);
    expect(incident.outcome).toBe("PASS");
    expect(incident.history.map((h) => `${h.stage}#${h.attempt}:${h.result}`)).toEqual([
      "investigate#1:ok",
      "patch#1:ok",
      "verify#1:interrupted",
      "verify#1:ok",
    ]);
    // Only the interrupted stage ran again.
    expect(second.calls.filter((c) => c.event === "start").map((c) => c.stage)).toEqual(["verify"]);
  });

  it("reruns an incident from a stage through the API, replacing that stage's and later outputs", async () => {
    let verifications = 0;
    const { stages } = recordingStages({
      behave: {
        verify: async () => {
          verifications++;
          return {
            verdict: {
              outcome: verifications === 1 ? "INCONCLUSIVE" : "REJECT",
              rationale: `run ${verifications}`,
            },
            markdown: `run ${verifications}\n`,
          };
        },
      },
    });
    const s = await start(stages);
    const [id] = await fire(s, 1);
    expect((await s.settled(id as number)).outcome).toBe("INCONCLUSIVE");

    const rerun = (body: string, target = id) => post(`${s.url}/api/incidents/${target}/rerun`, body);
    expect((await rerun('{"stage":"deploy"}')).status).toBe(400);
    expect((await rerun("not json")).status).toBe(400);
    expect((await rerun('{"stage":"verify"}', 999)).status).toBe(404);
    const accepted = await rerun('{"stage":"verify"}');
    expect(accepted.status).toBe(202);
    expect(JSON.parse(accepted.body)).toMatchObject({ stage: "verifying", attempts: 0 });
    const again = await s.settled(id as number);
    expect(again.outcome).toBe("REJECT");
    expect(again.verdict?.rationale).toBe("run 2");
    expect(again.bundleMarkdown).toBe("run 2\n");
    expect(again.history.filter((h) => h.stage === "verify").length).toBe(2);
  });

  it("refuses a rerun whose inputs are missing, or while a stage of the incident runs", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { stages } = recordingStages({
      behave: {
        investigate: async (incident) => {
          if (incident.alertName === "Slow") await gate;
          throw new UserError("alert is not in the manifest");
        },
      },
    });
    const s = await start(stages);
    const [failed] = await fire(s, 1);
    expect((await s.settled(failed as number)).stage).toBe("failed");
    const noReport = await post(`${s.url}/api/incidents/${failed}/rerun`, '{"stage":"patch"}');
    expect(noReport.status).toBe(409);
    expect(JSON.parse(noReport.body).error).toMatch(/no report yet/);

    const res = await s.webhook(payload([{ name: "Slow", fingerprint: "fp-slow" }]));
    const [slow] = (JSON.parse(res.body) as { created: number[] }).created;
    await waitFor("the slow investigation to start", async () =>
      (await s.get(slow as number)).stage === "investigating" ? true : undefined,
    );
    const busy = await post(`${s.url}/api/incidents/${slow}/rerun`, '{"stage":"investigate"}');
    expect(busy.status).toBe(409);
    release();
    expect((await s.settled(slow as number)).stage).toBe("failed");
    expect((await post(`${s.url}/api/incidents/${slow}/rerun`, '{"stage":"investigate"}')).status).toBe(202);
  });
});
