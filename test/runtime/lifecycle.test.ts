import { spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { groupMembers } from "../../src/runtime/process.js";
import { readState } from "../../src/runtime/state.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { tinyService, writeTinyWorld } from "../helpers/world.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function world(services: Record<string, Record<string, unknown>>, extra: Record<string, unknown> = {}) {
  const t = tempDir();
  const file = writeTinyWorld(t.dir, services, extra);
  cleanups.push(t.cleanup, async () => {
    await runCli(["down", "-f", file]);
  });
  return { dir: t.dir, file, stateDir: path.join(t.dir, "state") };
}

describe("fixloop up / status / down", () => {
  it("starts services in dependency order, passes addresses by env, and down stops exactly them", async () => {
    const w = world({ web: { dependsOn: { db: "DB_URL" }, env: { GREETING: "hi" } }, db: {} });
    // A decoy running the same program: down must leave it alone.
    const decoy = spawn("python3", [tinyService], { env: { ...process.env, PORT: "0" }, stdio: "ignore" });
    cleanups.push(() => void decoy.kill("SIGKILL"));

    const upRes = await runCli(["up", "-f", w.file]);
    expect(upRes.stderr).toMatch(/start db[\s\S]*start web/);
    expect(upRes.code).toBe(0);

    const state = readState(w.stateDir);
    const db = state?.components.find((c) => c.name === "db");
    const web = state?.components.find((c) => c.name === "web");
    const env = (await (await fetch(`${web?.url}/env`)).json()) as Record<string, string>;
    expect(env.DB_URL).toBe(db?.url);
    expect(env.GREETING).toBe("hi");

    const status = await runCli(["status", "-f", w.file, "--json"]);
    const parsed = JSON.parse(status.stdout) as {
      up: boolean;
      components: { name: string; running: boolean; rssBytes: number }[];
    };
    expect(parsed.up).toBe(true);
    expect(parsed.components.map((c) => [c.name, c.running])).toEqual([
      ["db", true],
      ["web", true],
    ]);
    expect(parsed.components[0]?.rssBytes).toBeGreaterThan(1_000_000);

    const downRes = await runCli(["down", "-f", w.file]);
    expect(downRes.stderr).toMatch(/stopped db, web/);
    for (const c of state?.components ?? []) expect(groupMembers(c)).toEqual([]);
    expect(decoy.exitCode).toBeNull();
    expect(readState(w.stateDir)).toBeUndefined();
  });

  it("reports a service that crashes at start with its log tail, and leaves nothing running", async () => {
    const w = world({ db: {}, web: { env: { MODE: "crash" }, dependsOn: { db: "DB_URL" } } });
    const res = await runCli(["up", "-f", w.file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/service 'web' exited during start-up/);
    expect(res.stderr).toMatch(/fatal: cannot load configuration/);
    expect(res.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(readState(w.stateDir)).toBeUndefined();
    const status = await runCli(["status", "-f", w.file]);
    expect(status.stdout.trim()).toBe("down");
  });

  it("reports a service that never becomes healthy", async () => {
    const w = world({ web: { env: { MODE: "unhealthy" }, startTimeoutMs: 1000 } });
    const res = await runCli(["up", "-f", w.file]);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(
      /service 'web' did not become healthy at http:\/\/127\.0\.0\.1:\d+\/healthz within 1000 ms \(HTTP 503\)/,
    );
    expect(readState(w.stateDir)).toBeUndefined();
  });

  it("refuses a busy fixed port with a one-line error", async () => {
    const server: Server = createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
    const port = (server.address() as { port: number }).port;
    const w = world({ web: { port } });
    const res = await runCli(["up", "-f", w.file]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe(
      `fixloop: services.web.port: port ${port} on 127.0.0.1 is already in use; stop what holds it or set another port (or port: auto)`,
    );
  });

  it("refuses a missing program before starting anything", async () => {
    const w = world({ db: {}, web: { command: ["no-such-program-xyz", "serve"] } });
    const res = await runCli(["up", "-f", w.file]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe(
      "fixloop: services.web.command: program 'no-such-program-xyz' not found on PATH",
    );
    expect(readState(w.stateDir)).toBeUndefined();
  });

  it("refuses to start twice", async () => {
    const w = world({ web: {} });
    expect((await runCli(["up", "-f", w.file])).code).toBe(0);
    const again = await runCli(["up", "-f", w.file]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already up/);
  });

  it("rejects a malformed manifest with a one-line error and exit code 2", async () => {
    const res = await runCli(["up", "-f", "/nonexistent/fixloop.yaml"]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim().split("\n")).toHaveLength(1);
  });
});
