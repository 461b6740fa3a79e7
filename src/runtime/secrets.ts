import type { Environment } from "../manifest/load.js";
import { secretValues } from "../util/redact.js";
import type { Runtime } from "./runtime.js";

/**
 * Secret values of every service in the world, hidden from the model wherever they appear: the
 * manifest's and the scenario's env, and the running processes' env (declared secret, or
 * secret-looking by name). The model's tools can reach any service's logs and description.
 */
export function worldSecrets(envm: Environment, runtime: Runtime): string[] {
  const { manifest } = envm;
  return Object.entries(manifest.services).flatMap(([name, spec]) => {
    const scenarioEnv = envm.scenario ? (manifest.scenarios[envm.scenario]?.env[name] ?? {}) : {};
    let running: Record<string, string> = {};
    try {
      running = runtime.identity(name).env;
    } catch {
      // Not running: the manifest's values are all there is.
    }
    return secretValues({ ...spec.env, ...scenarioEnv, ...running }, spec.secretEnv);
  });
}
