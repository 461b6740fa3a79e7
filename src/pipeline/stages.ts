import type { BridgeResult } from "../bridge/bridge.js";
import { bridge, serviceTarget } from "../bridge/bridge.js";
import type { Patch } from "../bridge/patch.js";
import { llmEdit } from "../bridge/strategies/llm-edit.js";
import { investigateWithModel } from "../investigate/agent/investigate.js";
import { investigate } from "../investigate/engine.js";
import { renderMarkdown } from "../investigate/render.js";
import type { Report } from "../investigate/report.js";
import type { ModelChoice } from "../llm/model.js";
import { LocalRuntime, loadRunningWorld } from "../runtime/local.js";
import { worldSecrets } from "../runtime/secrets.js";
import { renderBundle } from "../verify/bundle.js";
import { localRunner } from "../verify/local-runner.js";
import { resolveTarget } from "../verify/target.js";
import { verifyPatch } from "../verify/verify.js";
import type { Incident, VerdictLike } from "./incident.js";

/**
 * The pipeline's three steps, passed in to the worker. Each is idempotent (runs from the incident
 * and the earlier stages' outputs only, in workspaces of its own), so a stage interrupted by a crash
 * simply runs again. A stage should stop when `signal` aborts (timeout or shutdown).
 */
export interface Stages {
  investigate(incident: Incident, signal: AbortSignal): Promise<{ report: Report; markdown: string }>;
  /** `reasons`: the bridge found no candidate; the incident concludes as `no-patch`. */
  patch(incident: Incident, report: Report, signal: AbortSignal): Promise<BridgeResult>;
  verify(
    incident: Incident,
    report: Report,
    patch: Patch,
    signal: AbortSignal,
  ): Promise<{ verdict: VerdictLike; markdown: string }>;
}

export interface WorldRef {
  manifestFile: string;
  stateDir?: string;
  /** With a model, the investigation adds its tool loop and the bridge may offer its edit. */
  model?: ModelChoice;
}

/**
 * The real engines against the manifest's world: the investigation (deterministic, plus the model's
 * tool loop when a model is given), the bridge's automatic strategy, and the verifier with local candidates. The manifest is read at each stage,
 * for the scenario the world is running now. Investigation and bridge do not take a signal yet:
 * their evidence sources and checks are bounded by their own budgets.
 */
export function realStages(world: WorldRef): Stages {
  return {
    async investigate(incident) {
      const envm = loadRunningWorld(world.manifestFile, world.stateDir);
      const runtime = new LocalRuntime(envm);
      const report = world.model
        ? await investigateWithModel(incident.alert, envm, runtime, { model: world.model })
        : await investigate(incident.alert, envm, runtime);
      return { report, markdown: renderMarkdown(report) };
    },
    async patch(_incident, report) {
      const envm = loadRunningWorld(world.manifestFile, world.stateDir);
      const llm =
        world.model && llmEdit(world.model, { secrets: worldSecrets(envm, new LocalRuntime(envm)) });
      return bridge({
        report,
        target: serviceTarget(envm, report.service),
        strategy: "auto",
        ...(llm ? { llm } : {}),
      });
    },
    async verify(incident, report, patch, signal) {
      const envm = loadRunningWorld(world.manifestFile, world.stateDir);
      const target = resolveTarget(envm, {
        service: report.service,
        // The alert's own SLO and traffic when the manifest has it, else the service's only alert.
        alert: envm.manifest.alerts[incident.alert.name] ? incident.alert.name : undefined,
      });
      const verdict = await verifyPatch({
        target,
        runner: localRunner(new LocalRuntime(envm), target.service),
        patch: { diff: patch.diff, strategy: patch.strategy },
        signal,
      });
      return { verdict, markdown: renderBundle(verdict) };
    },
  };
}
