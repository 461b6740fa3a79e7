import { type ModelMessage, ToolChoiceViolationError, type ToolSet, tool } from "ai";
import { ModelFailure } from "../../llm/failure.js";
import type { ModelSession, ToolCall } from "../../llm/session.js";
import { redactText } from "../../util/redact.js";
import { answerSchema, type ModelAnswer } from "./answer.js";
import { submitTool } from "./prompt.js";
import { type AgentTool, type ToolContext, ToolRefusal } from "./tools/tool.js";

/**
 * The tool loop: the model asks, the loop decides. Only the listed read-only tools run, with their
 * arguments checked; unknown tools, malformed arguments and identical repeats are refused and the
 * model is told why; every result is redacted, then capped with a note on how to narrow it. The loop
 * ends when the model submits its report, and a step before the limit it is made to.
 */
export interface LoopOptions {
  system: string;
  headStart: string;
  tools: readonly AgentTool[];
  ctx: ToolContext;
  secrets: readonly string[];
  maxSteps: number;
  /** Characters of one tool result the model sees. */
  maxResultChars?: number;
  /** Filled as the model calls tools, so the record survives a loop that fails. */
  trace: ToolCallTrace[];
  onProgress?: (message: string) => void;
}

/** Every tool call the model made and what the loop did with it. */
export interface ToolCallTrace {
  step: number;
  at: string;
  name: string;
  input: unknown;
  outcome: "ran" | "failed" | "refused" | "invalid" | "submitted";
  /** The first line of what the model was told. */
  said: string;
}

export interface LoopResult {
  answer: ModelAnswer;
  steps: number;
}

const defaultMaxResultChars = 8000;

export async function runToolLoop(session: ModelSession, options: LoopOptions): Promise<LoopResult> {
  const progress = options.onProgress ?? (() => {});
  const byName = new Map(options.tools.map((t) => [t.name, t]));
  const allTools: ToolSet = Object.fromEntries([
    ...options.tools.map((t) => [t.name, tool({ description: t.description, inputSchema: t.input })]),
    [submitTool, submitDefinition],
  ]);
  const finalTools: ToolSet = { [submitTool]: submitDefinition };
  const messages: ModelMessage[] = [{ role: "user", content: options.headStart }];
  const seen = new Map<string, number>();
  const { trace } = options;
  const cap = options.maxResultChars ?? defaultMaxResultChars;

  for (let step = 1; step <= options.maxSteps; step++) {
    const last = step === options.maxSteps;
    const reply = await session
      .step({
        purpose: `investigation step ${step}`,
        system: options.system,
        messages,
        tools: last ? finalTools : allTools,
        ...(last ? { toolChoice: { type: "tool", toolName: submitTool } as const } : {}),
        secrets: options.secrets,
      })
      .catch((err: unknown) => {
        // Told to submit and did not: the same end as running out of steps.
        if (err instanceof ModelFailure && ToolChoiceViolationError.isInstance(err.cause)) return undefined;
        throw err;
      });
    if (!reply) break;
    if (reply.toolCalls.length === 0) {
      messages.push(
        { role: "assistant", content: reply.text || "(no answer)" },
        {
          role: "user",
          content: `Call ${submitTool} with your conclusions, or a tool to gather more evidence.`,
        },
      );
      continue;
    }
    messages.push({
      role: "assistant",
      content: [
        ...(reply.text ? [{ type: "text" as const, text: reply.text }] : []),
        ...reply.toolCalls.map((c) => ({
          type: "tool-call" as const,
          toolCallId: c.id,
          toolName: c.name,
          input: isObject(c.input) ? c.input : {},
        })),
      ],
    });
    let answer: ModelAnswer | undefined;
    const results: { call: ToolCall; text: string }[] = [];
    for (const call of reply.toolCalls) {
      const said = (outcome: ToolCallTrace["outcome"], text: string) => {
        trace.push({
          step,
          at: new Date().toISOString(),
          name: call.name,
          input: call.input,
          outcome,
          said: text.split("\n", 1)[0] ?? "",
        });
        results.push({ call, text });
      };
      if (call.name === submitTool) {
        const parsed = call.error ? undefined : answerSchema.safeParse(call.input);
        if (parsed?.success) {
          answer = parsed.data;
          said("submitted", "Report received.");
        } else
          said(
            "invalid",
            `invalid ${submitTool} arguments: ${call.error ?? parsed?.error.message}. Call it again with valid arguments.`,
          );
        continue;
      }
      const known = byName.get(call.name);
      if (!known) {
        said(
          "refused",
          `refused: there is no tool named ${JSON.stringify(call.name)}. The only tools are ${[...byName.keys(), submitTool].join(", ")}; all are read-only.`,
        );
        continue;
      }
      const args = call.error ? undefined : known.input.safeParse(call.input);
      if (!args?.success) {
        said(
          "invalid",
          `invalid arguments for ${call.name}: ${clip(call.error ?? args?.error.message ?? "", 600)}. Nothing ran; fix the arguments and call again.`,
        );
        continue;
      }
      const key = `${call.name} ${stableJson(args.data)}`;
      const earlier = seen.get(key);
      if (earlier !== undefined) {
        said(
          "refused",
          `refused: the identical call was made in step ${earlier}; its result is above. Ask something different.`,
        );
        continue;
      }
      seen.set(key, step);
      progress(`model step ${step}: ${call.name} ${clip(stableJson(args.data), 120)}`);
      try {
        const output = redactText(await known.run(args.data, options.ctx), options.secrets);
        said("ran", capped(output, cap, known.narrow));
      } catch (err) {
        const refused = err instanceof ToolRefusal;
        said(
          refused ? "refused" : "failed",
          `${refused ? "refused" : "failed"}: ${clip((err as Error).message, 600)}`,
        );
      }
    }
    messages.push({
      role: "tool",
      content: results.map(({ call, text }) => ({
        type: "tool-result" as const,
        toolCallId: call.id,
        toolName: call.name,
        output: { type: "text" as const, value: text },
      })),
    });
    if (answer) return { answer, steps: step };
  }
  throw new ModelFailure(`the model did not submit a report within ${options.maxSteps} steps`, "error");
}

const submitDefinition = tool({
  description: "Submit the investigation's conclusions. Call exactly once, at the end.",
  inputSchema: answerSchema,
});

function capped(text: string, max: number, narrow: string): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}\n[truncated: ${text.length - max} more characters not shown. ${narrow}]`;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** JSON with keys sorted, so the same arguments in another order are the same call. */
function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    isObject(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => a.localeCompare(b))) : x,
  );
}
