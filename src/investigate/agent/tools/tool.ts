import type { z } from "zod";
import type { Alert } from "../../../alerts/alert.js";
import type { Environment } from "../../../manifest/load.js";
import type { PrometheusClient } from "../../../monitoring/prometheus-client.js";
import type { Runtime } from "../../../runtime/runtime.js";
import type { AlertWindow } from "../../evidence/evidence.js";

/**
 * One read-only tool the investigation agent may call: a name, what it does, the arguments it
 * takes (checked before it runs), how to narrow a result that was cut, and the run itself. A tool
 * returns text for the model; it cannot write anything anywhere.
 */
export interface AgentTool<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly description: string;
  readonly input: S;
  /** Told to the model when the result was truncated. */
  readonly narrow: string;
  run(args: z.infer<S>, ctx: ToolContext): Promise<string>;
}

/** What the tools can see: the same world the deterministic evidence sources read. */
export interface ToolContext {
  alert: Alert;
  service: string;
  envm: Environment;
  runtime: Runtime;
  window: AlertWindow;
  /** Undefined when no Prometheus URL is known. */
  prometheus: PrometheusClient | undefined;
  /**
   * Runs one query or command, recorded in the report's evidence log; throws a one-line reason
   * when it fails, which the model is told.
   */
  /**
   * Redacts secrets from raw evidence text. Tools call it on whole texts before cutting anything, so
   * no cut can leave half a secret (or half a private key block) that redaction no longer recognizes.
   */
  redact(text: string): string;
  run<T>(action: string, fn: () => Promise<T> | T, note?: (value: T) => string | undefined): Promise<T>;
}

/** A tool whose use is refused with this reason (a path outside the repo, an unknown service…). */
export class ToolRefusal extends Error {
  override readonly name = "ToolRefusal";
}

export function defineTool<S extends z.ZodType>(tool: AgentTool<S>): AgentTool<S> {
  return tool;
}

/** The repo of a service, or a refusal saying there is none. */
export function repoOf(ctx: ToolContext, service = ctx.service): string {
  const repo = ctx.envm.manifest.services[service]?.repo;
  if (!repo)
    throw new ToolRefusal(`services.${service}.repo is not set in the manifest: there is no source to read`);
  return repo;
}

/** A manifest service name, or a refusal listing the known ones. */
export function knownService(ctx: ToolContext, service: string | undefined): string {
  const name = service ?? ctx.service;
  if (!ctx.envm.manifest.services[name])
    throw new ToolRefusal(
      `no service named '${name}' (known: ${Object.keys(ctx.envm.manifest.services).join(", ")})`,
    );
  return name;
}
