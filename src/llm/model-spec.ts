import { UserError } from "../util/errors.js";

/**
 * A model named as HolmesGPT and LiteLLM write it: `provider/model`, e.g.
 * `anthropic/claude-sonnet-4-20250514`, `openai/gpt-4.1`, `ollama/llama3.1`,
 * `openai-compatible/NAME`. Only the first slash separates: model ids may contain slashes.
 */
export interface ModelSpec {
  provider: string;
  model: string;
}

export function parseModelSpec(text: string): ModelSpec {
  const slash = text.indexOf("/");
  const provider = slash > 0 ? text.slice(0, slash).trim() : "";
  const model = slash > 0 ? text.slice(slash + 1).trim() : "";
  if (!provider || !model)
    throw new UserError(
      `--model ${text}: expected provider/model, e.g. anthropic/claude-sonnet-4-20250514, openai/gpt-4.1, ollama/llama3.1, openai-compatible/NAME`,
    );
  return { provider, model };
}

export function formatModelSpec(spec: ModelSpec): string {
  return `${spec.provider}/${spec.model}`;
}
