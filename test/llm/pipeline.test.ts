import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Incident } from "../../src/pipeline/incident.js";
import { cliPath, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { writeTinyWorld } from "../helpers/world.js";
import { payload, waitFor } from "../pipeline/helpers.js";
import { getJson, post } from "../server/http.js";
import { startScriptedModelServer } from "./scripted-model-server.js";

/** `fixloop serve --model`: the pipeline's investigation and bridge use the model, through the real CLI. */

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function world() {
  const tmp = tempDir("fixloop-serve-model-");
  cleanups.push(tmp.cleanup);
  const repo = path.join(tmp.dir, "repo");
  mkdirSync(repo);
  writeFileSync(path.join(repo, "app.py"), "print('hello')\n");
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: repo, stdio: "pipe" });
  git("init", "-q");
  git("add", ".");
  git("commit", "-q", "-m", "initial");
  return writeTinyWorld(tmp.dir, { web: { repo } });
}

describe("fixloop serve --model", () => {
  it("investigates incidents with the model's tool loop and offers the model's edit to the bridge", async () => {
    const model = await startScriptedModelServer((req) =>
      req.tools.includes("submit_report")
        ? {
            toolCalls: [
              {
                name: "submit_report",
                args: {
                  summary: "The scripted model looked and found nothing conclusive.",
                  recommendation: "Keep watching.",
                  confidence: 0.2,
                },
              },
            ],
          }
        : { text: "I cannot propose an edit." },
    );
    cleanups.push(() => model.close());
    const file = world();
    const child: ChildProcess = spawn(
      process.execPath,
      [
        cliPath,
        "serve",
        "-f",
        file,
        "--port",
        "0",
        "--model",
        "openai-compatible/scripted",
        "--llm-base-url",
        model.baseUrl,
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    cleanups.push(() => void child.kill("SIGKILL"));
    let stdout = "";
    child.stdout?.on("data", (d) => (stdout += d));
    const url = await waitFor(
      "serve to listen",
      async () => stdout.match(/^listening on (http:\/\/\S+)/)?.[1],
    );

    expect((await post(`${url}/webhooks/alertmanager`, payload([{ fingerprint: "model-1" }]))).status).toBe(
      200,
    );
    const incident = await waitFor(
      "the incident to conclude",
      async () => {
        const i = await getJson<Incident>(`${url}/api/incidents/1`);
        return i.stage === "concluded" || i.stage === "failed" ? i : undefined;
      },
      30_000,
    );
    expect(incident.report?.model).toBe("openai-compatible/scripted");
    expect(incident.report?.summary).toBe("The scripted model looked and found nothing conclusive.");
    expect(incident.outcome).toBe("no-patch");
    // No suspect change to revert: the bridge turned to the model's edit (without --model it says only
    // that nothing can be reverted), which had no source file to work on.
    expect(incident.noPatchReasons?.join("\n")).toMatch(/llm-edit: the report points at no file of the repo/);
  }, 60_000);

  it("rejects model flags without --model as a usage error", async () => {
    const res = await runCli([
      "serve",
      "-f",
      world(),
      "--port",
      "0",
      "--llm-base-url",
      "http://127.0.0.1:9/v1",
    ]);
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toBe("fixloop: the --llm-* options go with --model provider/model");
  });
});
