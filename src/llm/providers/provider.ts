import type { LanguageModel } from "ai";

/**
 * One model API behind one small contract: given a model id and where/how to reach it, a language
 * model the AI SDK can call. Callers never branch on the provider.
 */
export interface ModelProvider {
  readonly name: string;
  /** Env var holding the API key; absent when the provider needs none. */
  readonly keyEnv?: string;
  /** Whether a call without a key can work (local servers). */
  readonly keyOptional: boolean;
  /** Where the API is when no base URL is given; absent when one must be given. */
  readonly defaultBaseUrl?: string;
  create(model: string, access: ProviderAccess): LanguageModel;
}

export interface ProviderAccess {
  apiKey?: string;
  baseUrl: string;
}
