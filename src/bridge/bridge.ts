import path from "node:path";
import type { Report } from "../investigate/report.js";
import { type Environment, serviceCwd } from "../manifest/load.js";
import { UserError } from "../util/errors.js";
import { git } from "../util/git.js";
import type { CheckSpec } from "./check.js";
import type { Patch } from "./patch.js";
import { failingSources } from "./sources.js";
import { externalStrategy } from "./strategies/external.js";
import { revertSuspectChange } from "./strategies/revert-suspect-change.js";
import type { BridgeStrategy, Validation } from "./strategy.js";
import { defaultLimits, type PatchLimits, validateDiff } from "./validate.js";

export type StrategyChoice = "revert" | "llm" | "external" | "auto";

/** The service whose repo is patched: its git working tree is only ever read. */
export interface BridgeTarget {
  service: string;
  repo: string;
  check?: CheckSpec;
}

export interface BridgeRequest {
  report: Report;
  target: BridgeTarget;
  strategy: StrategyChoice;
  /** The `external` strategy's diff and where it came from. */
  external?: { diff: string; source: string };
  /** The llm-edit strategy, when a model was chosen: `llm` uses it, `auto` after the revert. */
  llm?: BridgeStrategy;
  limits?: PatchLimits;
}

export type BridgeResult = { patch: Patch } | { reasons: string[] };

/** How long the manifest's sanity check may run on a patched clone. */
export const checkTimeoutMs = 60_000;

/**
 * Report → validated patch. Tries the chosen strategies in order; the first candidate that passes
 * validation wins. Without one, every strategy's reason is returned.
 */
export async function bridge(req: BridgeRequest): Promise<BridgeResult> {
  const { report, target } = req;
  const head = await git(target.repo, ["rev-parse", "--verify", "HEAD"]).then(
    (out) => out.trim(),
    () => {
      throw new UserError(
        `${target.repo}: services.${target.service}.repo is not a git repository with a commit`,
      );
    },
  );
  const strategies = pickStrategies(req);
  if (strategies.length === 0) return { reasons: ["auto: the report names no suspect change to revert"] };

  const limits = req.limits ?? defaultLimits;
  const validations = new Map<string, Promise<Validation>>();
  const validate = (diff: string): Promise<Validation> => {
    let result = validations.get(diff);
    if (!result) {
      result = validateDiff(diff, { repo: target.repo, head, check: target.check, limits });
      validations.set(diff, result);
    }
    return result;
  };
  const sources = await failingSources(report, target.repo, head);
  const reasons: string[] = [];
  for (const strategy of strategies) {
    const proposal = await strategy.propose({ report, repo: target.repo, head, sources, validate });
    if ("noCandidate" in proposal) {
      reasons.push(`${strategy.name}: ${proposal.noCandidate}`);
      continue;
    }
    const verdict = await validate(proposal.diff);
    if (!verdict.ok) {
      reasons.push(`${strategy.name}: candidate rejected: ${verdict.reasons.join("; ")}`);
      continue;
    }
    // When several strategies were offered, say what became of the others.
    const others = strategies
      .filter((s) => s !== strategy)
      .map(
        (s) =>
          reasons.find((r) => r.startsWith(`${s.name}:`)) ??
          `${s.name} (not run: ${strategy.name} passed validation first)`,
      );
    return {
      patch: {
        strategy: strategy.name,
        diff: proposal.diff,
        rationale: others.length
          ? `${proposal.rationale} Also offered: ${others.join("; ")}.`
          : proposal.rationale,
        baseCommit: head,
        ...verdict.stats,
      },
    };
  }
  return { reasons };
}

function pickStrategies(req: BridgeRequest): BridgeStrategy[] {
  switch (req.strategy) {
    case "revert":
      return [revertSuspectChange];
    case "external":
      if (!req.external) throw new UserError("the external strategy needs a diff (--diff FILE)");
      return [externalStrategy(req.external.diff, req.external.source)];
    case "llm":
      if (!req.llm) throw new UserError("--strategy llm needs a model (--model provider/model)");
      return [req.llm];
    case "auto":
      // Reverting the suspect change first: no model, and the smallest claim; the model's edit otherwise.
      return [...(req.report.suspectChange ? [revertSuspectChange] : []), ...(req.llm ? [req.llm] : [])];
  }
}

/** The manifest's service as a bridge target: its repo and its sanity check, run from its cwd. */
export function serviceTarget(env: Environment, service: string): BridgeTarget {
  const spec = env.manifest.services[service];
  if (!spec) {
    const known = Object.keys(env.manifest.services).join(", ");
    throw new UserError(`${env.file}: no service named '${service}' (known: ${known})`);
  }
  if (!spec.repo)
    throw new UserError(`${env.file}: services.${service} has no repo; the bridge patches a git repo`);
  const cwd = path.relative(spec.repo, serviceCwd(spec, env.dir));
  const insideRepo = !cwd.startsWith("..") && !path.isAbsolute(cwd);
  return {
    service,
    repo: spec.repo,
    check: spec.check
      ? { argv: spec.check, cwd: insideRepo ? cwd : "", timeoutMs: checkTimeoutMs }
      : undefined,
  };
}
