import { UserError } from "../util/errors.js";
import { Budget, type BudgetLimits } from "./budget.js";
import type { LlmConfig } from "./config.js";
import { ModelFailure } from "./failure.js";
import { formatModelSpec, parseModelSpec } from "./model-spec.js";
import { priceOf } from "./prices.js";
import { providers } from "./providers/registry.js";
import { ModelSession, type SessionSettings } from "./session.js";

/**
 * The model the user asked for (`--model provider/model`), resolved against the providers and the
 * settings file. Mistakes in naming it are the user's (UserError, at once); a model that cannot be
 * reached — no key, no server — is found when a session opens, and the caller falls back to the
 * deterministic path with the reason.
 */
export interface ModelChoice {
  /** `provider/model`, as the report names it. */
  readonly spec: string;
  readonly maxSteps: number;
  /** A session with a fresh per-incident budget; throws ModelFailure when the model cannot be used. */
  open(): ModelSession;
}

export interface ModelOptions {
  model: string;
  baseUrl?: string;
  maxTokens?: number;
  maxCostUsd?: number;
  timeoutSeconds?: number;
}

export const modelDefaults = {
  budget: { maxTokens: 250_000, maxCostUsd: 1 } satisfies BudgetLimits,
  timeoutSeconds: 120,
  idleTimeoutSeconds: 45,
  maxRetries: 2,
  maxSteps: 12,
  maxOutputTokens: 4096,
};

export function chooseModel(
  options: ModelOptions,
  config: LlmConfig,
  env: NodeJS.ProcessEnv = process.env,
): ModelChoice {
  const parsed = parseModelSpec(options.model);
  const provider = providers[parsed.provider];
  if (!provider)
    throw new UserError(
      `--model ${options.model}: unknown provider '${parsed.provider}' (known: ${Object.keys(providers).join(", ")})`,
    );
  const own = config.providers[provider.name] ?? {};
  const baseUrl = (options.baseUrl ?? own.baseUrl ?? provider.defaultBaseUrl)?.replace(/\/+$/, "");
  if (!baseUrl)
    throw new UserError(
      `--model ${options.model}: ${provider.name} needs --llm-base-url (e.g. http://127.0.0.1:8000/v1) or providers.${provider.name}.baseUrl in the settings file`,
    );
  try {
    new URL(baseUrl);
  } catch {
    throw new UserError(`--llm-base-url ${baseUrl}: not a URL`);
  }
  const spec = formatModelSpec(parsed);
  const limits: BudgetLimits = {
    maxTokens: options.maxTokens ?? config.budget.maxTokens ?? modelDefaults.budget.maxTokens,
    maxCostUsd: options.maxCostUsd ?? config.budget.maxCostUsd ?? modelDefaults.budget.maxCostUsd,
  };
  const timeoutSeconds = options.timeoutSeconds ?? config.timeoutSeconds ?? modelDefaults.timeoutSeconds;
  const settings: SessionSettings = {
    timeoutMs: timeoutSeconds * 1000,
    idleTimeoutMs:
      Math.min(timeoutSeconds, config.idleTimeoutSeconds ?? modelDefaults.idleTimeoutSeconds) * 1000,
    maxRetries: config.maxRetries ?? modelDefaults.maxRetries,
    stream: config.stream ?? true,
    maxOutputTokens: modelDefaults.maxOutputTokens,
  };
  const price = priceOf(provider.name, parsed.model, config.prices);
  return {
    spec,
    maxSteps: config.maxSteps ?? modelDefaults.maxSteps,
    open() {
      const apiKey = (provider.keyEnv && env[provider.keyEnv]) || own.apiKey;
      if (!apiKey && !provider.keyOptional)
        throw new ModelFailure(
          `${provider.keyEnv} is not set${config.file ? ` and ${config.file} has no providers.${provider.name}.apiKey` : ""}`,
          "unavailable",
        );
      const model = provider.create(parsed.model, { baseUrl, ...(apiKey ? { apiKey } : {}) });
      return new ModelSession(
        spec,
        model,
        baseUrl,
        settings,
        new Budget(limits, price),
        apiKey ? [apiKey] : [],
      );
    },
  };
}
