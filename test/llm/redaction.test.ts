import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { investigateWithModel } from "../../src/investigate/agent/investigate.js";
import { chooseModel } from "../../src/llm/model.js";
import { loadManifest } from "../../src/manifest/load.js";
import { LocalRuntime } from "../../src/runtime/local.js";
import { onCleanup } from "../helpers/cleanup.js";
import { tempDir } from "../helpers/tmp.js";
import { incidentLog, iso, shopAlert, shopHistory, shopWorld } from "../investigate/fixtures.js";
import { type ScriptedReply, startScriptedModelServer } from "./scripted-model-server.js";

/**
 * Zero leaks: secrets planted everywhere a tool can read (env, config, logs, source, a private key,
 * a commit message, a runbook), a scripted model that calls every tool on all of it, and every
 * request body the model server received searched for every planted secret.
 */

const planted = {
  declaredToken: "tok-7f3a9c1e55", // SHOP_API_TOKEN, declared in secretEnv by the fixture
  declaredOddName: "LIC-88442211-corpus", // LICENSE_CODE: declared secret, innocent name
  byName: "hunter2-Xq9-corpus", // DB_PASSWORD: secret by its name
  configKey: "cfg-key-5566778899-corpus",
  dsnPassword: "pgpass-corpus-77",
  jwt: "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjb3JwdXMifQ.c2lnbmF0dXJlLWNvcnB1cw",
  aws: "AKIACORPUS1234567890".slice(0, 20),
  stripe: "sk_live_corpusABCDEF123456",
  github: "ghp_corpusABCDEFGHIJKLMNOPQRSTU1234",
  slack: "xoxb-corpus-1234567890",
  bearer: "corpusBearerValue9876",
  repoKey: "sk_live_corpusREPO987654321",
  commitToken: "ghp_corpusCOMMITMSG0123456789abcdef",
  pemBody: "MIIEcorpusPEMbodyLineOneAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  pemBody2: "corpusPEMbodyLineTwoBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB",
  runbookPassword: "rb-pass-corpus-42",
  urlPassword: "rb-url-pass-corpus",
  modelKey: "sk-openai-corpus-model-key-000111",
};

describe("redaction before anything reaches the model", () => {
  it("sends none of the planted secrets, whatever the model asks for", async () => {
    const t = tempDir("fixloop-redaction-");
    onCleanup(t.cleanup);
    const plantedLog = [
      `client ${planted.declaredToken} license ${planted.declaredOddName} db ${planted.byName}`,
      `Authorization: Bearer ${planted.bearer} session ${planted.jwt}`,
      `aws ${planted.aws} stripe ${planted.stripe} github ${planted.github} slack ${planted.slack}`,
    ].map((text, i) => `${iso(4000 - i * 100)} ERROR web corpus ${text}`);
    const log = `${incidentLog(60_000, 60)}${plantedLog.join("\n")}\n`;
    const history = [
      ...shopHistory(),
      {
        files: {
          "shop/settings.py": `STRIPE_KEY = "${planted.repoKey}"\nTIMEOUT = 3\n`,
          "deploy/key.pem": `-----BEGIN RSA PRIVATE KEY-----\n${planted.pemBody}\n${planted.pemBody2}\n-----END RSA PRIVATE KEY-----\n`,
        },
        message: `settings: add keys (token=${planted.commitToken})`,
        ageSeconds: 600,
      },
    ];
    const w = shopWorld(
      t.dir,
      log,
      history,
      { runbooks: "runbooks" },
      {
        env: {
          SHOP_API_TOKEN: planted.declaredToken,
          LICENSE_CODE: planted.declaredOddName,
          DB_PASSWORD: planted.byName,
        },
        secretEnv: ["SHOP_API_TOKEN", "LICENSE_CODE"],
        configFiles: ["config.ini"],
      },
    );
    writeFileSync(
      path.join(t.dir, "config.ini"),
      `[api]\napi_key = ${planted.configKey}\ndsn = postgres://app:${planted.dsnPassword}@db/shop\nlicense = ${planted.declaredOddName}\n`,
    );
    mkdirSync(path.join(t.dir, "runbooks"));
    writeFileSync(
      path.join(t.dir, "runbooks", "web.md"),
      `---\nalerts: [WebErrorRateHigh]\n---\n# Web errors\n\n1. Log in with password: ${planted.runbookPassword}\n2. Open https://ops:${planted.urlPassword}@ops.example/ and check the license ${planted.declaredOddName}\n`,
    );

    const steps: ScriptedReply[] = [
      {
        toolCalls: [
          { name: "search_logs", args: { contains: ["corpus"], limit: 50 } },
          { name: "search_logs", args: { limit: 50, since: iso(120_000) } },
          { name: "describe_service", args: {} },
        ],
      },
      {
        toolCalls: [
          { name: "read_file", args: { path: "shop/settings.py" } },
          { name: "read_file", args: { path: "deploy/key.pem", start_line: 2, end_line: 3 } },
          { name: "git_blame", args: { path: "deploy/key.pem", start_line: 2, end_line: 3 } },
          { name: "git_blame", args: { path: "shop/settings.py", start_line: 1, end_line: 2 } },
        ],
      },
      {
        toolCalls: [
          { name: "git_log", args: {} },
          { name: "git_show", args: { commit: "HEAD" } },
          { name: "search_code", args: { text: "corpus" } },
          { name: "search_code", args: { text: "STRIPE_KEY" } },
        ],
      },
      {
        toolCalls: [
          { name: "fetch_runbook", args: {} },
          { name: "fetch_runbook", args: { path: "web.md" } },
        ],
      },
      {
        toolCalls: [
          {
            name: "submit_report",
            args: { summary: "Done.", recommendation: "Nothing.", confidence: 0.5 },
          },
        ],
      },
    ];
    const server = await startScriptedModelServer(steps);
    onCleanup(() => server.close());
    const model = chooseModel(
      { model: "openai/gpt-4.1", baseUrl: server.baseUrl },
      { providers: {}, budget: {}, prices: {} },
      { OPENAI_API_KEY: planted.modelKey },
    );
    const envm = loadManifest(w.file);
    const report = await investigateWithModel(shopAlert(20_000), envm, new LocalRuntime(envm), { model });

    expect(report.model).toBe("openai/gpt-4.1");
    expect(server.requests).toHaveLength(5);
    // Every tool ran and returned evidence (no vacuous pass): the corpus lines and files are there, redacted.
    const sent = server.requests.map((r) => r.raw).join("\n");
    const agentRuns = report.evidenceLog.filter((r) => r.source === "agent");
    expect(agentRuns.every((r) => r.ok)).toBe(true);
    expect(agentRuns.length).toBeGreaterThanOrEqual(13);
    for (const seen of [
      "web corpus client",
      "STRIPE_KEY = ",
      "settings: add keys",
      "Web errors",
      "api_key = ",
      "deploy/key.pem, lines 2–3 of 5",
    ])
      expect(sent.includes(seen), seen).toBe(true);
    expect(sent.split("[REDACTED]").length - 1).toBeGreaterThan(20);

    const leaks = Object.entries(planted).filter(([, secret]) => sent.includes(secret));
    expect(leaks).toEqual([]);
    // What the model path adds to the report carries none either.
    const added = JSON.stringify([
      report.summary,
      report.findings.filter((f) => f.analyzer === "model"),
      report.evidenceLog.filter((r) => r.source === "agent" || r.source === "model"),
    ]);
    expect(Object.entries(planted).filter(([, secret]) => added.includes(secret))).toEqual([]);
  });
});
