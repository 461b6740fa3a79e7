import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server } from "node:net";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Incident } from "../../src/pipeline/incident.js";
import { cliPath, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { writeTinyRepoWorld } from "../helpers/world.js";
import { payload, waitFor } from "../pipeline/helpers.js";
import { getJson, post } from "./http.js";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanups.splice(0).reverse()) c();
});

/** A tiny world whose service has a git repo with one commit: real stages can run against it. */
function world() {
  const tmp = tempDir("fixloop-serve-cli-");
  cleanups.push(tmp.cleanup);
  return { file: writeTinyRepoWorld(tmp.dir), stateDir: path.join(tmp.dir, "state") };
}

/** `fixloop serve` as a user runs it; resolves once it prints its URL. */
async function serve(args: string[]) {
  const child: ChildProcess = spawn(process.execPath, [cliPath, "serve", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  cleanups.push(() => child.kill("SIGKILL"));
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d) => (stdout += d));
  child.stderr?.on("data", (d) => (stderr += d));
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await waitFor(
    `serve to listen (stderr: ${stderr})`,
    async () => stdout.match(/^listening on (http:\/\/\S+)/)?.[1],
  );
  return { child, url, exit, stderr: () => stderr };
}

describe("fixloop serve (the real CLI with the real stages)", () => {
  it("takes a webhook, runs the real investigation and bridge, and concludes no-patch; stops cleanly on SIGTERM", async () => {
    const w = world();
    const token = "cli-test-token";
    const s = await serve(["-f", w.file, "--port", "0", "--auth-token", token]);
    const headers = { authorization: `Bearer ${token}` };
    const hook = `${s.url}/webhooks/alertmanager`;
    expect((await post(hook, payload([{ fingerprint: "cli-1" }]))).status).toBe(401);
    const accepted = await post(hook, payload([{ fingerprint: "cli-1" }]), { headers });
    expect(accepted.status).toBe(200);
    expect(JSON.parse(accepted.body).created).toEqual([1]);

    const incident = await waitFor(
      "the incident to conclude",
      async () => {
        const i = await getJson<Incident>(`${s.url}/api/incidents/1`, headers);
        return i.stage === "concluded" || i.stage === "failed" ? i : undefined;
      },
      25_000,
    );
    expect(incident.error).toBeUndefined();
    expect(incident.outcome).toBe("no-patch");
    expect(incident.noPatchReasons).toEqual(["auto: the report names no suspect change to revert"]);
    expect(incident.report?.service).toBe("web");
    expect(incident.reportMarkdown).toMatch(/^# ErrorRateHigh on web/);

    // The same store cannot be served twice at once.
    const second = await runCli(["serve", "-f", w.file, "--port", "0"]);
    expect(second.code).toBe(2);
    expect(second.stderr).toBe(
      `fixloop: ${path.join(w.stateDir, "fixloop.db")} is in use by another fixloop serve (pid ${s.child.pid}); stop it or pass another --state-dir\n`,
    );

    s.child.kill("SIGTERM");
    expect(await s.exit).toBe(0);
    expect(s.stderr()).toContain("stopping");
  });

  it("reports usage mistakes and a busy port on one line with exit 2", async () => {
    const w = world();
    const busy: Server = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => busy.close());
    const busyPort = (busy.address() as { port: number }).port;
    const cases: [string[], RegExp][] = [
      [
        ["--auth-token", "a", "--basic-auth", "u:p"],
        /^fixloop: pass either --auth-token or --basic-auth, not both\n$/,
      ],
      [["--basic-auth", "nocolon"], /^fixloop: --basic-auth expects user:password\n$/],
      [["--port", "70000"], /--port.*must be a port, 0\.\.65535/],
      [
        ["--port", String(busyPort)],
        new RegExp(
          `^fixloop: 127\\.0\\.0\\.1:${busyPort} is already in use; stop what holds it or pass another --port\\n$`,
        ),
      ],
    ];
    for (const [args, expected] of cases) {
      const res = await runCli(["serve", "-f", w.file, ...args]);
      expect(res.code, args.join(" ")).toBe(2);
      expect(res.stderr).toMatch(expected);
    }
    const noManifest = await runCli(["serve", "--port", "0"]);
    expect(noManifest.code).toBe(2);
    expect(noManifest.stderr).toMatch(/required option '-f, --file <fixloop.yaml>'/);
  });
});
