import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { ModelProvider } from "./provider.js";

/** A local Ollama through its OpenAI-compatible endpoint; no key unless a proxy in front wants one. */
export const ollamaProvider: ModelProvider = {
  name: "ollama",
  keyOptional: true,
  defaultBaseUrl: "http://127.0.0.1:11434/v1",
  create: (model, access) =>
    createOpenAICompatible({
      name: "ollama",
      baseURL: access.baseUrl,
      ...(access.apiKey ? { apiKey: access.apiKey } : {}),
      includeUsage: true,
    }).chatModel(model),
};
