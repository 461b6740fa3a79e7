import { createAnthropic } from "@ai-sdk/anthropic";
import type { ModelProvider } from "./provider.js";

/** Anthropic's Messages API. */
export const anthropicProvider: ModelProvider = {
  name: "anthropic",
  keyEnv: "ANTHROPIC_API_KEY",
  keyOptional: false,
  defaultBaseUrl: "https://api.anthropic.com/v1",
  create: (model, access) => createAnthropic({ apiKey: access.apiKey, baseURL: access.baseUrl })(model),
};
