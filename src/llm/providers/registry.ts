import { anthropicProvider } from "./anthropic.js";
import { ollamaProvider } from "./ollama.js";
import { openaiProvider } from "./openai.js";
import { openaiCompatibleProvider } from "./openai-compatible.js";
import type { ModelProvider } from "./provider.js";

/** Every provider, by the name `--model provider/model` uses. */
export const providers: Readonly<Record<string, ModelProvider>> = {
  anthropic: anthropicProvider,
  openai: openaiProvider,
  ollama: ollamaProvider,
  "openai-compatible": openaiCompatibleProvider,
};
