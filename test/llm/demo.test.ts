import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Patch } from "../../src/bridge/patch.js";
import type { Report } from "../../src/investigate/report.js";
import { readState } from "../../src/runtime/state.js";
import { runPatched } from "../bridge/helpers.js";
import { waitForAlert } from "../helpers/alerts.js";
import { repoRoot, runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import {
  type ReceivedRequest,
  type ScriptedModelServer,
  type ScriptedReply,
  startScriptedModelServer,
} from "./scripted-model-server.js";

/**
 * `fixloop investigate … --model` end to end on the real demo world (catalog-shape: services,
 * Prometheus, Alertmanager, logs, git history), the model being the scripted server speaking
 * OpenAI Chat Completions; and the same command without --model, and with a model lacking its key.
 */
const manifest = path.join(repoRoot, "examples/checkout/fixloop.yaml");
const tmp = tempDir("fixloop-llm-demo-");
const stateDir = path.join(tmp.dir, "world");
// No user settings file is read: the tests say everything on the command line.
const env = { XDG_CONFIG_HOME: tmp.dir, ANTHROPIC_API_KEY: "", OPENAI_API_KEY: "" };
let server: ScriptedModelServer;

function allResults(req: ReceivedRequest): string {
  return req.messages
    .filter((m) => m.role === "tool")
    .map((m) => m.text)
    .join("\n");
}

/** A model that checks the head start against Prometheus, the logs and git, then reports what it saw. */
function investigator(req: ReceivedRequest): ScriptedReply {
  const headStart = req.messages[0]?.text ?? "";
  switch (req.messages.filter((m) => m.role === "assistant").length) {
    case 0: {
      const expr = /\*\*Alert expression:\*\* .*?\(`(.+?)`\)/.exec(headStart)?.[1];
      return expr
        ? { toolCalls: [{ name: "prometheus_query", args: { query: expr } }] }
        : { text: "no alert expression in the head start" };
    }
    case 1:
      return {
        toolCalls: [{ name: "search_logs", args: { contains: ["Traceback", "ValueError"], limit: 1 } }],
      };
    case 2: {
      const at = /git blame of the line that raised \(([\w./-]+):(\d+)/.exec(headStart);
      return at
        ? {
            toolCalls: [
              {
                name: "git_blame",
                args: { path: at[1], start_line: Number(at[2]), end_line: Number(at[2]) },
              },
            ],
          }
        : { text: "no blamed line in the head start" };
    }
    default: {
      const seen = allResults(req);
      const value = /=> ([\d.]+)$/m.exec(seen)?.[1];
      const exception = /^ValueError: .*$/m.exec(seen)?.[0];
      const blamed = /^\^?([0-9a-f]{7,40}) \(/m.exec(seen)?.[1];
      return {
        toolCalls: [
          {
            name: "submit_report",
            args: {
              summary: `The alert expression is ${value} now. ${exception}. The raising line was last changed by ${blamed}.`,
              cause: `${exception} (line last changed by ${blamed})`,
              recommendation: "Revert the suspect change or handle the shape.",
              confidence: 0.8,
            },
          },
        ],
      };
    }
  }
}

/** The bundle shape the planted refactor dropped, added back as two edits copied from the source it is shown. */
function coder(req: ReceivedRequest): ScriptedReply {
  const listing = /### catalog\.py\n```\n([\s\S]*?)\n```/.exec(req.messages[0]?.text ?? "")?.[1] ?? "";
  const source = listing.replace(/^(>>| {2})\s*\d+\| ?/gm, "");
  const anchors = ["def _unit(raw):", 'PARSERS = {"unit": _unit, "weighted": _weighted}'];
  if (!anchors.every((a) => source.includes(a))) return { text: "catalog.py is not as expected" };
  const bundleQuote = [
    "@dataclass(frozen=True)",
    "class BundleQuote:",
    "    item_id: str",
    "    components: tuple  # (unit_price_cents, count) per component",
    "",
    "    def unit_cents(self):",
    "        return sum(price * count for price, count in self.components)",
  ].join("\n");
  const bundleParser = [
    "def _bundle(raw):",
    '    return BundleQuote(raw["item_id"], tuple((int(c["unit_price_cents"]), int(c["count"])) for c in raw["components"]))',
  ].join("\n");
  return {
    toolCalls: [
      {
        name: "propose_edit",
        args: {
          rationale: "The refactor dropped the bundle shape; parse it again.",
          edits: [
            { path: "catalog.py", search: anchors[0], replace: `${bundleQuote}\n\n\n${anchors[0]}` },
            {
              path: "catalog.py",
              search: anchors[1],
              replace: `${bundleParser}\n\n\nPARSERS = {"unit": _unit, "weighted": _weighted, "bundle": _bundle}`,
            },
          ],
        },
      },
    ],
  };
}

beforeAll(async () => {
  server = await startScriptedModelServer((req) =>
    req.tools.includes("propose_edit") ? coder(req) : investigator(req),
  );
  const up = await runCli(["up", "-f", manifest, "--state-dir", stateDir, "--scenario", "catalog-shape"]);
  expect(up.code, up.stderr).toBe(0);
  await waitForAlert(readState(stateDir)?.alertmanagerUrl as string, "CheckoutErrorRateHigh", 60_000);
}, 120_000);

afterAll(async () => {
  await runCli(["down", "-f", manifest, "--state-dir", stateDir]);
  await server?.close();
  tmp.cleanup();
});

const investigateArgs = [
  "investigate",
  "alertmanager",
  "-f",
  manifest,
  "--state-dir",
  stateDir,
  "--alertmanager-alertname",
  "CheckoutErrorRateHigh",
  "--json",
];

async function investigateCli(extra: string[]): Promise<Report> {
  const res = await runCli([...investigateArgs, ...extra], { env, timeoutMs: 90_000 });
  expect(res.code, res.stderr).toBe(0);
  const { reports } = JSON.parse(res.stdout) as { reports: Report[] };
  expect(reports).toHaveLength(1);
  return reports[0] as Report;
}

describe("investigate --model on the demo world", () => {
  it("the model's tool loop runs on real evidence and writes the report", async () => {
    const report = await investigateCli(["--model", "openai-compatible/x", "--llm-base-url", server.baseUrl]);
    expect(server.requests).toHaveLength(4);
    expect(report.model).toBe("openai-compatible/x");
    expect(report.summary).toMatch(
      /^The alert expression is \d[\d.]* now\. ValueError: unsupported catalog shape for item_id=item-\d+-3\. The raising line was last changed by [0-9a-f]{7,40}\.$/,
    );
    expect(report.cause).toMatch(
      /^ValueError: unsupported catalog shape for item_id=item-\d+-3 \(line last changed by [0-9a-f]+\)$/,
    );
    expect(
      report.suspectChange?.commit.startsWith(/changed by ([0-9a-f]+)/.exec(report.cause ?? "")?.[1] ?? "-"),
    ).toBe(true);
    const agent = report.evidenceLog.filter((r) => r.source === "agent");
    expect(agent.map((r) => [r.action.split(" ")[0], r.ok])).toEqual([
      ["PromQL", true],
      ["runtime.readLogs(checkout,", true],
      ["git", true],
    ]);
    // The deterministic sections are all still there.
    expect(report.errorSignature?.exceptionType).toBe("ValueError");
    expect(report.runbook?.path).toBe("checkout-error-rate.md");
    const written = path.join(tmp.dir, "report.json");
    writeFileSync(written, JSON.stringify({ reports: [report] }));
  }, 120_000);

  it("without --model the deterministic report is unchanged in kind", async () => {
    const before = server.requests.length;
    const report = await investigateCli([]);
    expect(server.requests.length).toBe(before);
    expect(report.model).toBeUndefined();
    expect(report.cause).toMatch(/^ValueError: unsupported catalog shape/);
    expect(report.evidenceLog.some((r) => r.source === "agent" || r.source === "model")).toBe(false);
  }, 120_000);

  it("a model without its key is one line in the report, which is the deterministic one", async () => {
    const report = await investigateCli(["--model", "anthropic/claude-sonnet-4-20250514"]);
    expect(report.model).toBeUndefined();
    expect(report.missingEvidence.at(-1)).toBe(
      "model anthropic/claude-sonnet-4-20250514: not used — ANTHROPIC_API_KEY is not set; this report is the deterministic engine's alone.",
    );
    expect(report.cause).toMatch(/^ValueError: unsupported catalog shape/);
  }, 120_000);

  const patchArgs = () => [
    "patch",
    "-f",
    manifest,
    "--state-dir",
    stateDir,
    "--report",
    path.join(tmp.dir, "report.json"),
    "--model",
    "openai-compatible/x",
    "--llm-base-url",
    server.baseUrl,
    "--json",
  ];

  it("patch --strategy llm: the model's edit becomes a validated diff that prices bundles again", async () => {
    const before = server.requests.length;
    const res = await runCli([...patchArgs(), "--strategy", "llm"], { env, timeoutMs: 90_000 });
    expect(res.code, res.stderr).toBe(0);
    expect(server.requests.length).toBe(before + 1);
    const patch = JSON.parse(res.stdout) as Patch;
    expect(patch).toMatchObject({ strategy: "llm-edit", files: ["catalog.py"], linesRemoved: 1 });
    expect(patch.rationale).toBe(
      "The refactor dropped the bundle shape; parse it again. (edit written by openai-compatible/x.)",
    );
    const priced = runPatched(
      path.join(stateDir, "repos/checkout"),
      patch.diff,
      tmp.dir,
      'import catalog; q = catalog.parse_quote({"item_id": "item-1-3", "shape": "bundle", "components": [{"unit_price_cents": 150, "count": 2}]}); print(q.unit_cents())',
    );
    expect(priced.trim()).toBe("300");
  }, 120_000);

  it("patch --strategy auto with a model: the revert wins and the model's edit is listed as offered", async () => {
    const before = server.requests.length;
    const res = await runCli(patchArgs(), { env, timeoutMs: 90_000 });
    expect(res.code, res.stderr).toBe(0);
    const patch = JSON.parse(res.stdout) as Patch;
    expect(patch.strategy).toBe("revert-suspect-change");
    expect(patch.rationale).toMatch(
      / Also offered: llm-edit \(not run: revert-suspect-change passed validation first\)\.$/,
    );
    expect(server.requests.length).toBe(before);
  }, 120_000);
});
