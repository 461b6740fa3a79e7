import path from "node:path";
import { describe, expect, it } from "vitest";
import { type BridgeResult, bridge } from "../../src/bridge/bridge.js";
import { llmEdit, place } from "../../src/bridge/strategies/llm-edit.js";
import type { LlmConfig } from "../../src/llm/config.js";
import { chooseModel, type ModelOptions } from "../../src/llm/model.js";
import {
  expectUntouched,
  makeRepo,
  makeReport,
  runPatched,
  snapshot,
  type TestRepo,
} from "../bridge/helpers.js";
import { onCleanup } from "../helpers/cleanup.js";
import { runCli } from "../helpers/cli.js";
import { tempDir } from "../helpers/tmp.js";
import {
  type ReceivedRequest,
  type ScriptedModelServer,
  type ScriptedReply,
  startScriptedModelServer,
} from "./scripted-model-server.js";

/**
 * The llm-edit bridge strategy with the real provider code against the scripted server: edits
 * placed in HEAD's files, turned into a diff in a private clone, validated like every candidate
 * (applies, the manifest's check passes, size), repaired once with the reason, and chosen by
 * `auto` only after the revert.
 */

const noConfig: LlmConfig = { providers: {}, budget: {}, prices: {} };

const appV1 = [
  "def unit_price(item):",
  '    return item["price"]',
  "",
  "",
  "def total(item, n):",
  '    if item.get("kind") == "bundle":',
  '        raise ValueError("unsupported kind")',
  "    return unit_price(item) * n",
  "",
].join("\n");

function world(): { dir: string; repo: TestRepo; head: string } {
  const t = tempDir("fixloop-llm-edit-");
  onCleanup(t.cleanup);
  const repo = makeRepo(path.join(t.dir, "repo"));
  const head = repo.commit("shop", { "app.py": appV1, "README.md": "# shop\n" });
  return { dir: t.dir, repo, head };
}

async function scripted(replies: ScriptedReply[]): Promise<ScriptedModelServer> {
  const server = await startScriptedModelServer(replies);
  onCleanup(() => server.close());
  return server;
}

function edit(args: Record<string, unknown>): ScriptedReply {
  return {
    toolCalls: [{ name: "propose_edit", args: { rationale: "Price bundles instead of raising.", ...args } }],
  };
}

const report = makeReport({ frames: [{ file: "/srv/shop/app.py", line: 7, function: "total" }] });
const check = { argv: ["python3", "-m", "py_compile", "app.py"], cwd: "", timeoutMs: 20_000 };

async function patchWith(
  w: { repo: TestRepo },
  server: ScriptedModelServer,
  strategy: "llm" | "auto",
  r = report,
  options: Partial<ModelOptions> = {},
): Promise<BridgeResult> {
  const model = chooseModel(
    { model: "openai-compatible/coder", baseUrl: server.baseUrl, ...options },
    noConfig,
    {},
  );
  return bridge({
    report: r,
    target: { service: "shop", repo: w.repo.dir, check },
    strategy,
    llm: llmEdit(model, { secrets: [] }),
  });
}

function lastToolResult(req: ReceivedRequest | undefined): string {
  return req?.messages.filter((m) => m.role === "tool").at(-1)?.text ?? "";
}

const fix = {
  path: "app.py",
  search: '        raise ValueError("unsupported kind")',
  replace: '        return sum(unit_price(part) for part in item["parts"]) * n',
};

describe("the llm-edit strategy", () => {
  it("turns search/replace edits into a validated diff, seeing the failing line marked", async () => {
    const w = world();
    const before = snapshot(w.repo.dir);
    const server = await scripted([edit({ edits: [fix] })]);
    const result = await patchWith(w, server, "llm");
    if (!("patch" in result)) throw new Error(result.reasons.join("; "));
    expect(result.patch).toMatchObject({
      strategy: "llm-edit",
      files: ["app.py"],
      linesAdded: 1,
      linesRemoved: 1,
      baseCommit: w.head,
    });
    expect(result.patch.rationale).toBe(
      "Price bundles instead of raising. (edit written by openai-compatible/coder.)",
    );
    expect(result.patch.diff).toContain(`-${fix.search}\n+${fix.replace}\n`);
    const brief = server.requests[0]?.messages[0]?.text ?? "";
    expect(brief).toContain('>>7|         raise ValueError("unsupported kind")');
    expect(brief).toContain("ValueError: unsupported shape for item_id=<*>");
    // The tool was forced: the model had to propose an edit.
    expect(server.requests[0]?.body.tool_choice).toEqual({
      type: "function",
      function: { name: "propose_edit" },
    });
    const priced = runPatched(
      w.repo.dir,
      result.patch.diff,
      w.dir,
      'import app; print(app.total({"kind": "bundle", "parts": [{"price": 2}, {"price": 3}]}, 2))',
    );
    expect(priced.trim()).toBe("10");
    expectUntouched(w.repo, before, w.head);
  });

  it("gives a candidate that fails validation back to the model once, with the check's output, and takes the repair", async () => {
    const w = world();
    const broken = { ...fix, replace: '        return sum(unit_price(part) for part in item["parts"] * n' };
    const server = await scripted([edit({ edits: [broken] }), edit({ edits: [fix] })]);
    const result = await patchWith(w, server, "llm");
    if (!("patch" in result)) throw new Error(result.reasons.join("; "));
    const told = lastToolResult(server.requests[1]);
    expect(told).toMatch(
      /^Rejected: validation failed: check `python3 -m py_compile app\.py` failed \(exit 1\):/,
    );
    expect(told).toContain("SyntaxError");
    expect(result.patch.diff).toContain(`+${fix.replace}\n`);
    expect(result.patch.rationale).toMatch(
      /^Price bundles instead of raising\. \(edit written by openai-compatible\/coder; its first edit was rejected \(validation failed: check .* failed \(exit 1\).*\) and repaired\.\)$/,
    );
  });

  it("asks again when the search text is not in the file, and gives up after the second miss", async () => {
    const w = world();
    const missing = { ...fix, search: '        raise KeyError("unsupported kind")' };
    const server = await scripted([
      edit({ edits: [missing] }),
      edit({ edits: [{ ...missing, path: "nope.py" }] }),
    ]);
    const result = await patchWith(w, server, "llm");
    expect(result).toEqual({
      reasons: [
        "llm-edit: model openai-compatible/coder's edit was rejected twice: edit 1 (app.py): the search text is not in the file at HEAD (copy it exactly, without line numbers) | then: edit 1 (nope.py): nope.py is not a regular file at HEAD",
      ],
    });
    expect(lastToolResult(server.requests[1])).toContain("the search text is not in the file at HEAD");
  });

  it("takes a unified diff when the model gives one", async () => {
    const w = world();
    const diff = [
      "--- a/app.py",
      "+++ b/app.py",
      "@@ -6,3 +6,3 @@ def total(item, n):",
      '     if item.get("kind") == "bundle":',
      `-${fix.search}`,
      `+${fix.replace}`,
      "     return unit_price(item) * n",
    ].join("\n");
    const server = await scripted([edit({ diff })]);
    const result = await patchWith(w, server, "llm");
    if (!("patch" in result)) throw new Error(result.reasons.join("; "));
    expect(result.patch.diff).toBe(`${diff}\n`);
  });

  it("auto: reverts the suspect change first and lists the model's edit as offered, without calling the model", async () => {
    const w = world();
    const suspect = w.repo.commit("bundles raise", {
      "app.py": appV1.replace(
        "    return unit_price(item) * n",
        "    return unit_price(item) * n  # checked",
      ),
    });
    const server = await scripted([edit({ edits: [fix] })]);
    const result = await patchWith(
      w,
      server,
      "auto",
      makeReport({
        frames: [{ file: "app.py", line: 8 }],
        suspect: { commit: suspect, file: "app.py", line: 8 },
      }),
    );
    if (!("patch" in result)) throw new Error(result.reasons.join("; "));
    expect(result.patch.strategy).toBe("revert-suspect-change");
    expect(result.patch.rationale).toMatch(
      / Also offered: llm-edit \(not run: revert-suspect-change passed validation first\)\.$/,
    );
    expect(server.requests).toHaveLength(0);
  });

  it("auto: uses the model's edit when there is no suspect change to revert", async () => {
    const w = world();
    const server = await scripted([edit({ edits: [fix] })]);
    const result = await patchWith(w, server, "auto");
    if (!("patch" in result)) throw new Error(result.reasons.join("; "));
    expect(result.patch.strategy).toBe("llm-edit");
  });

  it("says why when the model cannot be used", async () => {
    const w = world();
    const server = await scripted([{ hangMs: 5000 }]);
    const result = await patchWith(w, server, "llm", report, { timeoutSeconds: 0.3 });
    expect(result).toEqual({
      reasons: [
        expect.stringMatching(
          /^llm-edit: model openai-compatible\/coder: no answer from http:\/\/127\.0\.0\.1:\d+\/v1 within 0\.3 s/,
        ),
      ],
    });
  });

  it("fixloop patch: --strategy llm needs --model, the --llm-* options go with it, providers are known", async () => {
    const res = await runCli(["patch", "-f", "nowhere.yaml", "--report", "r.json", "--strategy", "llm"]);
    expect(res.code).toBe(2);
    expect(res.stderr).toBe("fixloop: --strategy llm needs --model provider/model\n");
    const stray = await runCli([
      "patch",
      "-f",
      "nowhere.yaml",
      "--report",
      "r.json",
      "--llm-base-url",
      "http://x",
    ]);
    expect([stray.code, stray.stderr]).toEqual([
      2,
      "fixloop: the --llm-* options go with --model provider/model\n",
    ]);
    const unknown = await runCli([
      "patch",
      "-f",
      "nowhere.yaml",
      "--report",
      "r.json",
      "--model",
      "gemini/pro",
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^fixloop: --model gemini\/pro: unknown provider 'gemini'/);
  });
});

describe("placing an edit", () => {
  const file = "a = 1\nb = 2   \nc = 3\nb = 2\n";
  it("replaces text that occurs once, exactly", () => {
    expect(place(file, "c = 3", "c = 4")).toEqual({ content: "a = 1\nb = 2   \nc = 4\nb = 2\n" });
  });
  it("refuses text that occurs more than once", () => {
    expect(place(file, "b = 2", "b = 5")).toEqual({
      problem: "the search text occurs 2 times; include more surrounding lines so it matches once",
    });
  });
  it("matches lines ignoring trailing whitespace and copied line numbers", () => {
    expect(place(file, "a = 1\nb = 2\n", "a = 1\nb = 9\n")).toEqual({
      content: "a = 1\nb = 9\nc = 3\nb = 2\n",
    });
    expect(place(file, ">>2| b = 2\n  3| c = 3", "  2| b = 7\n  3| c = 3")).toEqual({
      content: "a = 1\nb = 7\nc = 3\nb = 2\n",
    });
  });
  it("says when the text is not there", () => {
    expect(place(file, "d = 4", "d = 5")).toEqual({
      problem: "the search text is not in the file at HEAD (copy it exactly, without line numbers)",
    });
  });
});
