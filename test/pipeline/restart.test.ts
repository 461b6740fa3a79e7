import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Incident } from "../../src/pipeline/incident.js";
import { tempDir } from "../helpers/tmp.js";
import { getJson, post } from "../server/http.js";
import { payload, waitFor } from "./helpers.js";

const fixture = path.join(import.meta.dirname, "fixtures/slow-verify-server.mjs");
const children: ChildProcess[] = [];
const dirs: (() => void)[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill("SIGKILL");
  for (const cleanup of dirs.splice(0)) cleanup();
});

/** Starts the service in a child process (the test fixture) and returns its URL. */
async function serve(stateDir: string, verifyMs: number, maxAttempts = 3) {
  const child = spawn(process.execPath, [fixture, stateDir, String(verifyMs), String(maxAttempts)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const url = await waitFor(
    `the fixture server to listen (output: ${out})`,
    async () => out.match(/listening on (http:\/\/\S+)/)?.[1],
  );
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once("exit", (_code, signal) => resolve(signal)),
  );
  return { child, url, exited, incident: (id: number) => getJson<Incident>(`${url}/api/incidents/${id}`) };
}

const verifyStarts = (stateDir: string) =>
  readFileSync(path.join(stateDir, "verify-starts.log"), "utf8").trim().split("\n");

describe("restart after kill -9 (service in a child process, test-fixture stages)", () => {
  it("verifies again after the process is killed mid-verification, and concludes", async () => {
    const tmp = tempDir("fixloop-kill9-");
    dirs.push(tmp.cleanup);
    const first = await serve(tmp.dir, 60_000);
    const res = await post(`${first.url}/webhooks/alertmanager`, payload([{ fingerprint: "fp-kill" }]));
    expect(res.status).toBe(200);
    await waitFor("the verification to start", async () => {
      const incident = await first.incident(1);
      return incident.history.some((h) => h.stage === "verify" && h.result === "running") ? true : undefined;
    });
    first.child.kill("SIGKILL");
    expect(await first.exited).toBe("SIGKILL");

    const second = await serve(tmp.dir, 50);
    const incident = await waitFor("the incident to conclude after the restart", async () => {
      const i = await second.incident(1);
      return i.stage === "concluded" ? i : undefined;
    });
    expect(incident.outcome).toBe("PASS");
    expect(incident.verdict?.rationale).toBe(`verified by pid ${second.child.pid}`);
    expect(incident.history.map((h) => `${h.stage}#${h.attempt}:${h.result}`)).toEqual([
      "investigate#1:ok",
      "patch#1:ok",
      "verify#1:interrupted",
      "verify#2:ok",
    ]);
    expect(incident.history[2]?.error).toMatch(/stopped during the stage/);
    expect(verifyStarts(tmp.dir)).toEqual([
      `verify-start 1 ${first.child.pid}`,
      `verify-start 1 ${second.child.pid}`,
    ]);
    // Nothing was lost or duplicated: the same single incident, acknowledged once.
    const list = await getJson<{ incidents: unknown[] }>(`${second.url}/api/incidents`);
    expect(list.incidents.length).toBe(1);
  });

  it("keeps every acknowledged alert when the process is killed right after the 200s", async () => {
    const tmp = tempDir("fixloop-ack-");
    dirs.push(tmp.cleanup);
    const first = await serve(tmp.dir, 60_000);
    const acked = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        post(`${first.url}/webhooks/alertmanager`, payload([{ fingerprint: `ack-${i}` }])),
      ),
    );
    first.child.kill("SIGKILL");
    expect(acked.map((r) => r.status)).toEqual(Array(20).fill(200));
    await first.exited;

    const second = await serve(tmp.dir, 50);
    const list = await getJson<{ incidents: { fingerprint: string }[] }>(`${second.url}/api/incidents`);
    expect(list.incidents.map((i) => i.fingerprint).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `ack-${i}`).sort(),
    );
  });

  it("gives up with the stage failed when every attempt dies with the process", async () => {
    const tmp = tempDir("fixloop-crashloop-");
    dirs.push(tmp.cleanup);
    const maxAttempts = 2;
    for (let run = 1; run <= maxAttempts; run++) {
      const s = await serve(tmp.dir, 60_000, maxAttempts);
      if (run === 1) await post(`${s.url}/webhooks/alertmanager`, payload([{ fingerprint: "fp-crashloop" }]));
      await waitFor(`verification attempt ${run}`, async () =>
        (await s.incident(1)).history.filter((h) => h.stage === "verify").length === run ? true : undefined,
      );
      s.child.kill("SIGKILL");
      await s.exited;
    }
    const last = await serve(tmp.dir, 50, maxAttempts);
    const incident = await waitFor("the incident to fail", async () => {
      const i = await last.incident(1);
      return i.stage === "failed" ? i : undefined;
    });
    expect(incident.failedStage).toBe("verify");
    expect(incident.error).toMatch(
      /^gave up after 2 attempt\(s\); last: the fixloop process stopped during the stage/,
    );
    expect(verifyStarts(tmp.dir).length).toBe(2);
  });

  it("refuses a second server on the same store while the first is alive", async () => {
    const tmp = tempDir("fixloop-lease-");
    dirs.push(tmp.cleanup);
    const first = await serve(tmp.dir, 50);
    const second = spawn(process.execPath, [fixture, tmp.dir, "50"], { stdio: ["ignore", "pipe", "pipe"] });
    children.push(second);
    let err = "";
    second.stderr?.on("data", (d) => (err += d));
    const code = await new Promise<number | null>((resolve) => second.once("exit", resolve));
    expect(code).not.toBe(0);
    expect(err).toContain(`in use by another fixloop serve (pid ${first.child.pid})`);
  });
});
