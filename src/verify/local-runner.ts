import type { Runtime } from "../runtime/runtime.js";
import type { CandidateRunner } from "./runner.js";

/** Candidates as local processes next to the live service: the local equivalent of `mirrord exec --target`. */
export function localRunner(runtime: Runtime, service: string): CandidateRunner {
  return {
    kind: "local",
    identity: () => runtime.identity(service),
    start: (options) => runtime.runCopy(service, options),
  };
}
