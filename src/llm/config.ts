import { existsSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { z } from "zod";
import { UserError } from "../util/errors.js";

/**
 * The model settings file (`--llm-config`, else $FIXLOOP_LLM_CONFIG, else
 * ~/.config/fixloop/llm.yaml when it exists): keys and base URLs per provider, the per-incident
 * budget, timeouts, and prices for models the built-in list does not know. Keys found here are
 * only ever sent to their provider.
 */
const priceSchema = z.strictObject({ inputPerMTok: z.number().min(0), outputPerMTok: z.number().min(0) });

const configSchema = z.strictObject({
  providers: z
    .record(z.string(), z.strictObject({ apiKey: z.string().min(1).optional(), baseUrl: z.url().optional() }))
    .default({}),
  budget: z
    .strictObject({
      maxTokens: z.int().positive().optional(),
      maxCostUsd: z.number().positive().optional(),
    })
    .default({}),
  /** One model call, from request to last byte. */
  timeoutSeconds: z.number().positive().optional(),
  /** Silence between two streamed chunks. */
  idleTimeoutSeconds: z.number().positive().optional(),
  maxRetries: z.int().min(0).max(10).optional(),
  maxSteps: z.int().min(2).max(50).optional(),
  stream: z.boolean().optional(),
  prices: z.record(z.string(), priceSchema).default({}),
});

export type LlmConfig = z.infer<typeof configSchema> & { file?: string };

export function defaultConfigFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config");
  return path.join(base, "fixloop", "llm.yaml");
}

/** Reads the settings file; an explicitly named file must exist, the default one may not. */
export function loadLlmConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): LlmConfig {
  const named = file ?? env.FIXLOOP_LLM_CONFIG;
  const chosen = named ?? defaultConfigFile(env);
  if (!named && !existsSync(chosen)) return configSchema.parse({});
  let text: string;
  try {
    text = readFileSync(chosen, "utf8");
  } catch {
    throw new UserError(`${chosen}: cannot read the model settings file`);
  }
  let doc: unknown;
  try {
    doc = parse(text) ?? {};
  } catch (err) {
    throw new UserError(`${chosen}: not YAML: ${(err as Error).message.split("\n")[0]}`);
  }
  const parsed = configSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${chosen}: ${issue?.path.join(".") || "(top)"}: ${issue?.message ?? "invalid"}`);
  }
  return { ...parsed.data, file: chosen };
}
