import { type ChildProcess, spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import type { Incident } from "../../src/pipeline/incident.js";
import { onCleanup } from "../helpers/cleanup.js";
import { cliPath, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import { writeTinyRepoWorld } from "../helpers/world.js";
import { payload, waitFor } from "../pipeline/helpers.js";
import { getJson, post } from "../server/http.js";
import { startScriptedModelServer } from "./scripted-model-server.js";

/** `fixloop serve --model`: the pipeline's investigation and bridge use the model, through the real CLI. */

function world(): string {
  const tmp = tempDir("fixloop-serve-model-");
  onCleanup(tmp.cleanup);
  return writeTinyRepoWorld(tmp.dir);
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
    onCleanup(() => model.close());
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
    onCleanup(() => void child.kill("SIGKILL"));
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
