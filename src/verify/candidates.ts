import path from "node:path";
import type { RunningCopy } from "../runtime/runtime.js";
import { UserError } from "../util/errors.js";
import { createWorkspace, git, gitFailure } from "../util/git.js";
import { type RecordingProxy, startRecordingProxy } from "./proxy.js";
import type { CandidateRunner } from "./runner.js";
import type { RunScope } from "./scope.js";
import type { Side } from "./verdict.js";

/** One side of the comparison, running: its process and the proxies in front of its downstreams. */
export interface Candidate {
  side: Side;
  copy: RunningCopy;
  proxies: RecordingProxy[];
}

export type StartResult =
  | { ok: true; baseline: Candidate; patched: Candidate }
  | { ok: false; side: Side; message: string };

/**
 * A private clone of the service repo at HEAD: the baseline's source, or (with a diff) the
 * patched one. The service's own working tree is only cloned from, never written.
 */
export async function cloneSourceAtHead(
  scope: RunScope,
  repo: string,
  side: Side,
  diff?: string,
): Promise<{ dir: string; head: string }> {
  const ws = await createWorkspace(repo, `verify-${side}`);
  scope.guardFolder(path.dirname(ws.dir), ws.remove, `remove the ${side} workspace`);
  if (diff?.trim()) {
    try {
      await git(ws.dir, ["apply", "--whitespace=nowarn", "-"], { input: diff });
    } catch (err) {
      throw new UserError(`the patch does not apply to ${ws.head.slice(0, 12)}: ${gitFailure(err)}`);
    }
  }
  return { dir: ws.dir, head: ws.head };
}

/**
 * Starts both candidates side by side, each with the live identity, its own port and process
 * group, and its downstream env vars pointed at its own recording proxies. A candidate that
 * crashes or never becomes healthy is reported (with its log tail), not thrown.
 */
export async function startCandidates(
  scope: RunScope,
  runner: CandidateRunner,
  service: string,
  sources: Record<Side, string>,
  logDir: string,
  onStep: (message: string) => void,
): Promise<StartResult> {
  const identity = runner.identity();
  const start = async (side: Side): Promise<Candidate> => {
    const proxies: RecordingProxy[] = [];
    const env: Record<string, string> = {};
    for (const d of identity.downstreams) {
      if (!d.url) continue;
      const proxy = await startRecordingProxy(d.name, d.url);
      scope.defer(`close the ${side} proxy for ${d.name}`, proxy.close);
      proxies.push(proxy);
      env[d.envVar] = proxy.url;
    }
    const copy = await runner.start({
      label: `${service} (${side})`,
      sourceDir: sources[side],
      env,
      logFile: path.join(logDir, `${side}.log`),
    });
    scope.guardGroup(copy.pid, copy.stop, `stop the ${side} candidate (pid ${copy.pid})`);
    onStep(
      `${side} candidate pid ${copy.pid} on ${copy.url}${proxies.map((p) => `, ${p.name} via ${p.url}`).join("")}`,
    );
    return { side, copy, proxies };
  };
  const [baseline, patched] = await Promise.allSettled([start("baseline"), start("patched")]);
  for (const [side, result] of [
    ["baseline", baseline],
    ["patched", patched],
  ] as const) {
    if (result.status === "rejected") {
      if (!(result.reason instanceof UserError)) throw result.reason;
      return { ok: false, side, message: result.reason.message };
    }
  }
  return {
    ok: true,
    baseline: (baseline as PromiseFulfilledResult<Candidate>).value,
    patched: (patched as PromiseFulfilledResult<Candidate>).value,
  };
}
