import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import type { ModelProvider } from "./provider.js";

/** Any server speaking OpenAI Chat Completions (vLLM, llama.cpp server, LiteLLM proxy): needs a base URL. */
export const openaiCompatibleProvider: ModelProvider = {
  name: "openai-compatible",
  keyEnv: "FIXLOOP_LLM_API_KEY",
  keyOptional: true,
  create: (model, access) =>
    createOpenAICompatible({
      name: "openai-compatible",
      baseURL: access.baseUrl,
      ...(access.apiKey ? { apiKey: access.apiKey } : {}),
      includeUsage: true,
    }).chatModel(model),
};
