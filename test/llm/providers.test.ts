import { writeFileSync } from "node:fs";
import path from "node:path";
import { tool } from "ai";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { type LlmConfig, loadLlmConfig } from "../../src/llm/config.js";
import { ModelFailure } from "../../src/llm/failure.js";
import { chooseModel, type ModelOptions } from "../../src/llm/model.js";
import { parseModelSpec } from "../../src/llm/model-spec.js";
import { UserError } from "../../src/util/errors.js";
import { onCleanup } from "../helpers/cleanup.js";
import { tempDir } from "../helpers/tmp.js";
import {
  type ScriptedModelServer,
  type ScriptedReply,
  startScriptedModelServer,
} from "./scripted-model-server.js";

/**
 * The real provider code (AI SDK providers behind our registry, session, budget and failure
 * handling) against the scripted server speaking each wire protocol, streamed and not.
 */

async function serve(script: ScriptedReply[]): Promise<ScriptedModelServer> {
  const server = await startScriptedModelServer(script);
  onCleanup(() => server.close());
  return server;
}

const noConfig: LlmConfig = { providers: {}, budget: {}, prices: {} };
const keys = {
  ANTHROPIC_API_KEY: "sk-ant-test-0123456789abcdef",
  OPENAI_API_KEY: "sk-test-openai-0123456789ab",
};

function session(options: ModelOptions, config: Partial<LlmConfig> = {}, env: NodeJS.ProcessEnv = keys) {
  return chooseModel(options, { ...noConfig, ...config }, env).open();
}

const tools = {
  prometheus_query: tool({ description: "instant query", inputSchema: z.object({ query: z.string() }) }),
};
const ask = {
  purpose: "test",
  system: "You are terse.",
  messages: [{ role: "user" as const, content: "hi" }],
  secrets: [],
};

const protocols = [
  {
    model: "anthropic/claude-sonnet-4-20250514",
    path: "/v1/messages",
    auth: (h: Record<string, unknown>) => h["x-api-key"] === keys.ANTHROPIC_API_KEY,
  },
  {
    model: "openai/gpt-4.1",
    path: "/v1/chat/completions",
    auth: (h: Record<string, unknown>) => h.authorization === `Bearer ${keys.OPENAI_API_KEY}`,
  },
  {
    model: "ollama/llama3.1",
    path: "/v1/chat/completions",
    auth: (h: Record<string, unknown>) => h.authorization === undefined,
  },
  {
    model: "openai-compatible/qwen",
    path: "/v1/chat/completions",
    auth: (h: Record<string, unknown>) => h.authorization === undefined,
  },
];

describe("providers against the scripted wire protocol", () => {
  for (const p of protocols)
    for (const stream of [true, false])
      it(`${p.model} (${stream ? "streamed" : "one answer"}): text, then tool calls, usage charged`, async () => {
        const server = await serve([
          { text: "The error rate is 12%." },
          { text: "Let me look.", toolCalls: [{ name: "prometheus_query", args: { query: "up" } }] },
        ]);
        const s = session({ model: p.model, baseUrl: server.baseUrl }, { stream });
        const first = await s.step(ask);
        expect(first).toMatchObject({ text: "The error rate is 12%.", toolCalls: [] });
        const second = await s.step({ ...ask, tools });
        expect(second.toolCalls).toEqual([
          { id: expect.any(String), name: "prometheus_query", input: { query: "up" } },
        ]);
        expect(second.finishReason).toBe("tool-calls");

        expect(server.requests.map((r) => [r.path, r.stream])).toEqual([
          [p.path, stream],
          [p.path, stream],
        ]);
        expect(server.requests.every((r) => p.auth(r.headers))).toBe(true);
        expect(server.requests[1]?.tools).toEqual(["prometheus_query"]);
        expect(server.requests[0]?.body.model).toBe(p.model.split("/")[1]);
        // The scripted server reports about raw/4 input tokens: the budget is charged what the server said.
        const reported = server.requests.reduce((n, r) => n + Math.ceil(r.raw.length / 4), 0);
        expect(s.budget.inputTokens).toBe(reported);
        expect(s.budget.outputTokens).toBeGreaterThan(0);
        expect(s.calls.map((c) => c.ok)).toEqual([true, true]);
      });

  for (const stream of [true, false])
    it(`retries a 429 (honouring retry-after-ms) and a 503, then succeeds (${stream ? "streamed" : "one answer"})`, async () => {
      const server = await serve([
        { status: 429, message: "slow down", headers: { "retry-after-ms": "20" } },
        { status: 503, message: "overloaded", headers: { "retry-after-ms": "20" } },
        { text: "ok" },
      ]);
      const s = session({ model: "anthropic/claude-sonnet-4-20250514", baseUrl: server.baseUrl }, { stream });
      expect((await s.step(ask)).text).toBe("ok");
      expect(server.requests).toHaveLength(3);
    });

  it("gives up after the retries with a one-line reason naming the status", async () => {
    const server = await serve(
      Array.from({ length: 3 }, () => ({
        status: 429,
        message: "rate limited",
        headers: { "retry-after-ms": "10" },
      })),
    );
    const s = session({ model: "openai/gpt-4.1", baseUrl: server.baseUrl });
    const err = await s.step(ask).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModelFailure);
    expect((err as ModelFailure).message).toMatch(/is rate limiting \(HTTP 429, 3 attempts\)/);
    expect(server.requests).toHaveLength(3);
  });

  it("times out a model that does not answer", async () => {
    const server = await serve([{ hangMs: 10_000 }, { hangMs: 10_000 }]);
    for (const stream of [true, false]) {
      const s = session(
        { model: "openai-compatible/x", baseUrl: server.baseUrl, timeoutSeconds: 0.3 },
        { stream },
      );
      const err = await s.step(ask).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ModelFailure);
      expect((err as ModelFailure).kind).toBe("timeout");
      expect((err as ModelFailure).message).toContain("no answer from");
    }
  });

  it("says a model is unreachable without retrying forever", async () => {
    const s = session({ model: "ollama/llama3.1", baseUrl: "http://127.0.0.1:9/v1" }, { maxRetries: 0 });
    const err = await s.step(ask).catch((e: unknown) => e);
    expect((err as ModelFailure).kind).toBe("unavailable");
    expect((err as ModelFailure).message).toMatch(/^cannot reach http:\/\/127\.0\.0\.1:9\/v1/);
  });

  it("names the missing key's env var, and never prints a key the server echoes back", async () => {
    const missing = chooseModel({ model: "anthropic/claude-sonnet-4-20250514" }, noConfig, {});
    expect(() => missing.open()).toThrow(new ModelFailure("ANTHROPIC_API_KEY is not set", "unavailable"));

    const server = await serve([{ status: 401, message: `invalid x-api-key: ${keys.ANTHROPIC_API_KEY}` }]);
    const s = session({ model: "anthropic/claude-sonnet-4-20250514", baseUrl: server.baseUrl });
    const err = (await s.step(ask).catch((e: unknown) => e)) as ModelFailure;
    expect(err.message).toContain("refused the API key (HTTP 401)");
    expect(err.message).not.toContain(keys.ANTHROPIC_API_KEY);
    expect(JSON.stringify(s.calls)).not.toContain(keys.ANTHROPIC_API_KEY);
  });

  it("stops at the token and cost budget before sending a call that could overspend", async () => {
    const server = await serve([{ text: "a" }, { text: "b" }, { text: "c" }]);
    const s = session({ model: "openai/gpt-4.1", baseUrl: server.baseUrl, maxTokens: 1200 });
    await s.step(ask);
    const err = (await s
      .step({ ...ask, messages: [{ role: "user", content: "x".repeat(4000) }] })
      .catch((e: unknown) => e)) as ModelFailure;
    expect(err.kind).toBe("budget");
    expect(err.message).toMatch(/budget is spent \(\d+ of 1,200 tokens, \$0\.00 of \$1\.00\)/);
    expect(server.requests).toHaveLength(1);

    // gpt-4.1 costs $8 per million output tokens: a $0.001 budget cannot buy a 256-token answer.
    const poor = session({ model: "openai/gpt-4.1", baseUrl: server.baseUrl, maxCostUsd: 0.001 });
    expect(((await poor.step(ask).catch((e: unknown) => e)) as ModelFailure).kind).toBe("budget");
    expect(server.requests).toHaveLength(1);
  });

  it("redacts every text it sends: system, messages, tool calls and results", async () => {
    const server = await serve([{ text: "ok" }]);
    const s = session({ model: "anthropic/claude-sonnet-4-20250514", baseUrl: server.baseUrl });
    await s.step({
      purpose: "test",
      system: "context: token tok-planted-1",
      messages: [
        { role: "user", content: "env DB_PASSWORD=hunter2-planted and tok-planted-1" },
        {
          role: "assistant",
          content: [
            { type: "tool-call", toolCallId: "t1", toolName: "q", input: { query: "tok-planted-1" } },
          ],
        },
        {
          role: "tool",
          content: [
            {
              type: "tool-result",
              toolCallId: "t1",
              toolName: "q",
              output: {
                type: "text",
                value: "Authorization: Bearer abcdefghijklmnop tok-planted-1 AKIAABCDEFGHIJKLMNOP",
              },
            },
          ],
        },
      ],
      secrets: ["tok-planted-1"],
    });
    const raw = server.requests[0]?.raw ?? "";
    for (const planted of ["tok-planted-1", "hunter2-planted", "abcdefghijklmnop", "AKIAABCDEFGHIJKLMNOP"])
      expect(raw).not.toContain(planted);
    expect(raw).toContain("[REDACTED]");
  });
});

describe("choosing a model", () => {
  it("parses provider/model and rejects what is not", () => {
    expect(parseModelSpec("openai-compatible/meta-llama/Llama-3.1-8B")).toEqual({
      provider: "openai-compatible",
      model: "meta-llama/Llama-3.1-8B",
    });
    expect(() => parseModelSpec("gpt-4.1")).toThrow(UserError);
    expect(() => chooseModel({ model: "gemini/pro" }, noConfig, {})).toThrow(
      /unknown provider 'gemini' \(known: anthropic, openai, ollama, openai-compatible\)/,
    );
    expect(() => chooseModel({ model: "openai-compatible/x" }, noConfig, {})).toThrow(/needs --llm-base-url/);
  });

  it("takes keys, base URLs and budgets from the settings file, the env key first", async () => {
    const server = await serve([{ text: "ok" }, { text: "ok" }]);
    const t = tempDir("fixloop-llm-config-");
    onCleanup(t.cleanup);
    const file = path.join(t.dir, "llm.yaml");
    writeFileSync(
      file,
      `providers:\n  openai:\n    apiKey: sk-from-file-0123456789abcdef\n    baseUrl: ${server.baseUrl}\nbudget:\n  maxTokens: 5000\nstream: false\n`,
    );
    const config = loadLlmConfig(file);
    const fromFile = chooseModel({ model: "openai/gpt-4.1" }, config, {}).open();
    await fromFile.step(ask);
    expect(server.requests[0]?.headers.authorization).toBe("Bearer sk-from-file-0123456789abcdef");
    expect(server.requests[0]?.stream).toBe(false);
    expect(fromFile.budget.limits.maxTokens).toBe(5000);
    const fromEnv = chooseModel({ model: "openai/gpt-4.1" }, config, keys).open();
    await fromEnv.step(ask);
    expect(server.requests[1]?.headers.authorization).toBe(`Bearer ${keys.OPENAI_API_KEY}`);

    expect(() => loadLlmConfig(path.join(t.dir, "missing.yaml"))).toThrow(UserError);
    writeFileSync(file, "budget:\n  maxTokens: -3\n");
    expect(() => loadLlmConfig(file)).toThrow(/budget\.maxTokens/);
    // No file named and none at the default place: defaults.
    expect(loadLlmConfig(undefined, { XDG_CONFIG_HOME: t.dir }).providers).toEqual({});
  });
});
