import type { Command } from "commander";
import { loadLlmConfig } from "../llm/config.js";
import { chooseModel, type ModelChoice } from "../llm/model.js";
import { UserError } from "../util/errors.js";
import { positiveInt, positiveNumber } from "./args.js";

/** The model flags `investigate` and `patch` share; without --model nothing here is used. */
export interface ModelCliOptions {
  model?: string;
  llmBaseUrl?: string;
  llmConfig?: string;
  llmMaxTokens?: number;
  llmMaxCost?: number;
  llmTimeout?: number;
}

export function withModelOptions(cmd: Command): Command {
  return cmd
    .option(
      "--model <provider/model>",
      "also use a model, e.g. anthropic/claude-sonnet-4-20250514, openai/gpt-4.1, ollama/llama3.1, openai-compatible/NAME (the deterministic result stays the fallback)",
    )
    .option("--llm-base-url <url>", "the model API's base URL (required for openai-compatible/…)")
    .option(
      "--llm-config <file>",
      "model settings: keys, base URLs, budget (default ~/.config/fixloop/llm.yaml)",
    )
    .option("--llm-max-tokens <n>", "token budget per incident (default 250000)", positiveInt)
    .option("--llm-max-cost <usd>", "cost budget per incident in USD (default 1)", positiveNumber)
    .option("--llm-timeout <seconds>", "timeout of one model call (default 120)", positiveNumber);
}

/** The chosen model, or undefined without --model; model flags without --model are a mistake. */
export function modelChoiceFrom(opts: ModelCliOptions): ModelChoice | undefined {
  if (!opts.model) {
    const stray = (["llmBaseUrl", "llmConfig", "llmMaxTokens", "llmMaxCost", "llmTimeout"] as const).find(
      (k) => opts[k] !== undefined,
    );
    if (stray) throw new UserError("the --llm-* options go with --model provider/model");
    return undefined;
  }
  return chooseModel(
    {
      model: opts.model,
      ...(opts.llmBaseUrl ? { baseUrl: opts.llmBaseUrl } : {}),
      ...(opts.llmMaxTokens ? { maxTokens: opts.llmMaxTokens } : {}),
      ...(opts.llmMaxCost ? { maxCostUsd: opts.llmMaxCost } : {}),
      ...(opts.llmTimeout ? { timeoutSeconds: opts.llmTimeout } : {}),
    },
    loadLlmConfig(opts.llmConfig),
  );
}
