import type { Alert } from "../../alerts/alert.js";
import { ModelFailure } from "../../llm/failure.js";
import type { ModelChoice } from "../../llm/model.js";
import type { ModelSession } from "../../llm/session.js";
import type { Environment } from "../../manifest/load.js";
import { PrometheusClient } from "../../monitoring/prometheus-client.js";
import type { Runtime } from "../../runtime/runtime.js";
import { worldSecrets } from "../../runtime/secrets.js";
import { redactText } from "../../util/redact.js";
import { defaultPrometheusUrl, type InvestigateOptions, investigate } from "../engine.js";
import { alertWindow } from "../evidence/alert.js";
import { type AlertWindow, EvidenceLog } from "../evidence/evidence.js";
import type { EvidenceRecord, Report } from "../report.js";
import { mergeAnswer, withModelFailure } from "./answer.js";
import { runToolLoop, type ToolCallTrace } from "./loop.js";
import { headStart, systemPrompt } from "./prompt.js";
import { agentTools } from "./tools/registry.js";
import type { ToolContext } from "./tools/tool.js";

/**
 * The investigation with a model: the deterministic engine first (always, and always the
 * fallback), then the model, given the engine's report as a head start, runs its own read-only
 * tool loop over the same evidence and writes the narrative. Any model failure — no key,
 * unreachable, timeout, budget, no report within the step limit — leaves the deterministic report,
 * with the reason as one line of its missing evidence.
 */
export interface ModelInvestigateOptions extends InvestigateOptions {
  model: ModelChoice;
  /** Characters of one tool result the model sees. */
  maxResultChars?: number;
}

/** Time one tool call may take. */
const toolBudgetMs = 15_000;

export async function investigateWithModel(
  alert: Alert,
  envm: Environment,
  runtime: Runtime,
  options: ModelInvestigateOptions,
): Promise<Report> {
  const report = await investigate(alert, envm, runtime, options);
  const progress = options.onProgress ?? (() => {});
  const { model } = options;
  const log = new EvidenceLog();
  let session: ModelSession | undefined;
  const trace: ToolCallTrace[] = [];
  const records = () => ({ tools: [...log.records, ...refusals(trace)], calls: session?.calls ?? [] });
  try {
    session = model.open();
    progress(`asking ${model.spec} (at most ${model.maxSteps} steps)`);
    const secrets = worldSecrets(envm, runtime);
    const ctx = toolContext(alert, report, envm, runtime, log, secrets);
    const result = await runToolLoop(session, {
      system: systemPrompt(agentTools, model.maxSteps),
      headStart: headStart(report),
      tools: agentTools,
      ctx,
      secrets,
      maxSteps: model.maxSteps,
      ...(options.maxResultChars ? { maxResultChars: options.maxResultChars } : {}),
      trace,
      onProgress: progress,
    });
    progress(`${model.spec} reported after ${result.steps} steps (${session.budget.describe()})`);
    return mergeAnswer(report, result.answer, model.spec, records());
  } catch (err) {
    if (!(err instanceof ModelFailure)) throw err;
    progress(`${model.spec} not used: ${err.message}`);
    return withModelFailure(report, model.spec, err.message, records());
  }
}

/** The refused and invalid calls, for the evidence log: what the model asked and was denied. */
function refusals(trace: ToolCallTrace[]): EvidenceRecord[] {
  return trace
    .filter((t) => t.outcome === "refused" || t.outcome === "invalid")
    .map((t) => ({
      source: "agent",
      action: `${t.name} ${JSON.stringify(t.input).slice(0, 200)}`,
      startedAt: t.at,
      durationMs: 0,
      ok: false,
      note: t.said.slice(0, 200),
    }));
}

function toolContext(
  alert: Alert,
  report: Report,
  envm: Environment,
  runtime: Runtime,
  log: EvidenceLog,
  secrets: readonly string[],
): ToolContext {
  const prometheusUrl = defaultPrometheusUrl(envm, runtime);
  const window: AlertWindow = report.window
    ? {
        beforeStart: new Date(report.window.before),
        start: new Date(report.window.start),
        end: new Date(report.window.end),
      }
    : alertWindow(alert, new Date(), 0);
  return {
    alert,
    service: report.service,
    envm,
    runtime,
    window,
    prometheus: prometheusUrl ? new PrometheusClient(prometheusUrl, { timeoutMs: 10_000 }) : undefined,
    redact: (text) => redactText(text, secrets),
    async run(action, fn, note) {
      const out = await log.forSource("agent", toolBudgetMs).run(action, fn, note);
      if (!out.ok) throw new Error(out.reason);
      return out.value;
    },
  };
}
