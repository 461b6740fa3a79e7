import { createOpenAI } from "@ai-sdk/openai";
import type { ModelProvider } from "./provider.js";

/** OpenAI's Chat Completions API (the protocol every OpenAI-compatible server also speaks). */
export const openaiProvider: ModelProvider = {
  name: "openai",
  keyEnv: "OPENAI_API_KEY",
  keyOptional: false,
  defaultBaseUrl: "https://api.openai.com/v1",
  create: (model, access) => createOpenAI({ apiKey: access.apiKey, baseURL: access.baseUrl }).chat(model),
};
