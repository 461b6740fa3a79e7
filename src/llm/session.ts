import {
  generateText,
  type LanguageModel,
  type LanguageModelUsage,
  type ModelMessage,
  streamText,
  type ToolChoice,
  type ToolSet,
} from "ai";
import { redactText } from "../util/redact.js";
import type { Budget } from "./budget.js";
import { ModelFailure, modelFailureOf } from "./failure.js";

// The SDK prints its warnings to the console, where they would mix with the CLI's report on stdout.
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

/**
 * One incident's conversation partner: a model call at a time (`step`), each bounded in time,
 * retried with backoff on 429/5xx (the SDK honours retry-after), charged to the incident's budget,
 * and with every text that leaves for the model redacted here — the one place all of it passes.
 */
export interface SessionSettings {
  timeoutMs: number;
  idleTimeoutMs: number;
  maxRetries: number;
  stream: boolean;
  /** The longest answer one call may ask for. */
  maxOutputTokens: number;
}

export interface StepRequest {
  /** What the call is for, for the record (e.g. "investigation step 3"). */
  purpose: string;
  system: string;
  messages: ModelMessage[];
  tools?: ToolSet;
  toolChoice?: ToolChoice<ToolSet>;
  /** Known secret values to hide, on top of the credential shapes redaction always hides. */
  secrets: readonly string[];
}

export interface ToolCall {
  id: string;
  name: string;
  input: unknown;
  /** Set when the SDK could not accept the call: unknown tool, unparsable or invalid arguments. */
  error?: string;
}

export interface StepResult {
  text: string;
  toolCalls: ToolCall[];
  finishReason: string;
}

/** One model call as it happened, for the report's evidence log. */
export interface ModelCallRecord {
  purpose: string;
  startedAt: string;
  durationMs: number;
  ok: boolean;
  inputTokens: number;
  outputTokens: number;
  note?: string;
}

export class ModelSession {
  readonly calls: ModelCallRecord[] = [];

  constructor(
    /** `provider/model`, as the report names it. */
    readonly spec: string,
    private readonly model: LanguageModel,
    readonly baseUrl: string,
    readonly settings: SessionSettings,
    readonly budget: Budget,
    /** The API key: never in a message, never in an error. */
    private readonly hide: readonly string[],
  ) {}

  async step(req: StepRequest): Promise<StepResult> {
    const secrets = [...req.secrets, ...this.hide];
    const system = redactText(req.system, secrets);
    const messages = redactMessages(req.messages, secrets);
    const estimate = Math.ceil(
      (system.length + JSON.stringify(messages).length + toolsSize(req.tools)) / 3.5,
    );
    const startedAt = new Date();
    const started = performance.now();
    const record = (ok: boolean, usage: { input: number; output: number }, note?: string) =>
      this.calls.push({
        purpose: req.purpose,
        startedAt: startedAt.toISOString(),
        durationMs: Math.round(performance.now() - started),
        ok,
        inputTokens: usage.input,
        outputTokens: usage.output,
        ...(note ? { note } : {}),
      });
    let maxOutputTokens: number;
    try {
      maxOutputTokens = this.budget.allow(estimate, this.settings.maxOutputTokens);
    } catch (err) {
      record(false, { input: 0, output: 0 }, (err as Error).message);
      throw err;
    }
    const call = {
      model: this.model,
      system,
      messages,
      ...(req.tools ? { tools: req.tools } : {}),
      ...(req.toolChoice ? { toolChoice: req.toolChoice } : {}),
      maxOutputTokens,
      maxRetries: this.settings.maxRetries,
    };
    try {
      const result = this.settings.stream ? await this.streamed(call) : await this.whole(call);
      const usage = tokens(result.usage, estimate);
      this.budget.charge(usage.input, usage.output);
      record(true, usage, `${usage.input} in / ${usage.output} out tokens, ${result.finishReason}`);
      return { text: result.text, toolCalls: result.toolCalls, finishReason: result.finishReason };
    } catch (err) {
      const failure = modelFailureOf(err, {
        baseUrl: this.baseUrl,
        timeoutMs: this.settings.timeoutMs,
        hide: this.hide,
      });
      record(false, { input: 0, output: 0 }, failure.message);
      throw failure;
    }
  }

  private async whole(call: Call): Promise<Answer> {
    const result = await generateText({ ...call, timeout: { totalMs: this.settings.timeoutMs } });
    const toolCalls: ToolCall[] = [];
    for (const part of result.content) if (part.type === "tool-call") toolCalls.push(toolCallOf(part));
    return { text: result.text, toolCalls, usage: result.usage, finishReason: result.finishReason };
  }

  private async streamed(call: Call): Promise<Answer> {
    const result = streamText({
      ...call,
      timeout: { totalMs: this.settings.timeoutMs, chunkMs: this.settings.idleTimeoutMs },
      // Errors arrive as stream parts below; the default handler would print them.
      onError: () => {},
    });
    let text = "";
    const toolCalls: ToolCall[] = [];
    let usage: LanguageModelUsage | undefined;
    let finishReason = "unknown";
    for await (const part of result.fullStream) {
      if (part.type === "text-delta") text += part.text;
      else if (part.type === "tool-call") toolCalls.push(toolCallOf(part));
      else if (part.type === "finish") {
        usage = part.totalUsage;
        finishReason = part.finishReason;
      } else if (part.type === "error") throw part.error;
      else if (part.type === "abort")
        throw new ModelFailure(
          `no answer from ${this.baseUrl} within ${this.settings.timeoutMs / 1000} s (or ${this.settings.idleTimeoutMs / 1000} s of silence)`,
          "timeout",
        );
    }
    return { text, toolCalls, usage, finishReason };
  }
}

type Call = Parameters<typeof generateText>[0] & { maxOutputTokens: number };

interface Answer {
  text: string;
  toolCalls: ToolCall[];
  usage: LanguageModelUsage | undefined;
  finishReason: string;
}

function toolCallOf(part: {
  toolCallId: string;
  toolName: string;
  input: unknown;
  invalid?: boolean;
  error?: unknown;
}): ToolCall {
  return {
    id: part.toolCallId,
    name: part.toolName,
    input: part.input,
    ...(part.invalid ? { error: errorText(part.error) } : {}),
  };
}

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, " ").slice(0, 600);
}

/** Usage as the provider reported it; servers that report none are charged the estimate. */
function tokens(usage: LanguageModelUsage | undefined, estimate: number): { input: number; output: number } {
  return { input: usage?.inputTokens ?? estimate, output: usage?.outputTokens ?? 0 };
}

function toolsSize(tools: ToolSet | undefined): number {
  return tools ? Object.values(tools).reduce((n, t) => n + (t.description?.length ?? 0) + 400, 0) : 0;
}

/** Every text part of every message, redacted; tool inputs and outputs too. */
export function redactMessages(messages: ModelMessage[], secrets: readonly string[]): ModelMessage[] {
  const text = (s: string) => redactText(s, secrets);
  const value = (v: unknown): unknown =>
    typeof v === "string"
      ? text(v)
      : Array.isArray(v)
        ? v.map(value)
        : v && typeof v === "object"
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x)]))
          : v;
  return messages.map((m): ModelMessage => {
    if (typeof m.content === "string") return { ...m, content: text(m.content) } as ModelMessage;
    const content = m.content.map((part) => {
      switch (part.type) {
        case "text":
        case "reasoning":
          return { ...part, text: text(part.text) };
        case "tool-call":
          return { ...part, input: value(part.input) };
        case "tool-result":
          return { ...part, output: value(part.output) as typeof part.output };
        default:
          return part;
      }
    });
    return { ...m, content } as ModelMessage;
  });
}
