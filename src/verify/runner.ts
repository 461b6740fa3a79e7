import type { CopyOptions, RunningCopy, ServiceIdentity } from "../runtime/runtime.js";

/**
 * Where a verification runs its candidates: copies of the live service with its identity (command,
 * env, config, downstream addresses) from another source tree. Locally that is a child process
 * (Runtime.runCopy); on Kubernetes the same contract is met by `mirrord exec` or a shadow pod.
 */
export interface CandidateRunner {
  /** Recorded in the verdict, e.g. `local`. */
  readonly kind: string;
  /** The live service's identity the candidates copy. */
  identity(): ServiceIdentity;
  /** Starts a healthy copy, or fails (with its log tail) when it crashes or never becomes healthy. */
  start(options: CopyOptions): Promise<RunningCopy>;
}
