/**
 * List prices in USD per million tokens, for the cost budget. Matched by the longest model-id
 * prefix; local providers cost nothing; an unknown model has no price (then only the token budget
 * holds) unless the config file gives one.
 */
export interface Price {
  inputPerMTok: number;
  outputPerMTok: number;
}

const listPrices: Record<string, Record<string, Price>> = {
  anthropic: {
    "claude-opus-4": { inputPerMTok: 15, outputPerMTok: 75 },
    "claude-sonnet-4": { inputPerMTok: 3, outputPerMTok: 15 },
    "claude-3-7-sonnet": { inputPerMTok: 3, outputPerMTok: 15 },
    "claude-3-5-sonnet": { inputPerMTok: 3, outputPerMTok: 15 },
    "claude-haiku-4": { inputPerMTok: 1, outputPerMTok: 5 },
    "claude-3-5-haiku": { inputPerMTok: 0.8, outputPerMTok: 4 },
  },
  openai: {
    "gpt-4.1": { inputPerMTok: 2, outputPerMTok: 8 },
    "gpt-4.1-mini": { inputPerMTok: 0.4, outputPerMTok: 1.6 },
    "gpt-4.1-nano": { inputPerMTok: 0.1, outputPerMTok: 0.4 },
    "gpt-4o": { inputPerMTok: 2.5, outputPerMTok: 10 },
    "gpt-4o-mini": { inputPerMTok: 0.15, outputPerMTok: 0.6 },
    o3: { inputPerMTok: 2, outputPerMTok: 8 },
    "o4-mini": { inputPerMTok: 1.1, outputPerMTok: 4.4 },
  },
  ollama: { "": { inputPerMTok: 0, outputPerMTok: 0 } },
};

/** The price of `provider/model`: the config's own entry first, then the list. */
export function priceOf(
  provider: string,
  model: string,
  configured: Readonly<Record<string, Price>> = {},
): Price | undefined {
  const own = configured[`${provider}/${model}`];
  if (own) return own;
  const table = listPrices[provider] ?? {};
  const prefix = Object.keys(table)
    .filter((p) => model.startsWith(p))
    .sort((a, b) => b.length - a.length)[0];
  return prefix === undefined ? undefined : table[prefix];
}
