import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { UserError } from "../util/errors.js";

export const installHint =
  "install it with: apt-get install -y --no-install-recommends prometheus prometheus-alertmanager";

/** Runs a config checker (promtool / amtool); a rejected config is a user error with its output. */
export function checkConfig(checker: string[], file: string, what: string): void {
  const [program, ...args] = checker;
  const res = spawnSync(program as string, [...args, file], { encoding: "utf8", timeout: 30_000 });
  if (res.error) throw new UserError(`${what}: cannot run ${program}: ${res.error.message}; ${installHint}`);
  if (res.status !== 0) {
    const output = `${res.stdout}${res.stderr}`.trim().split("\n").slice(-5).join("\n");
    throw new UserError(
      `${what}: generated config rejected by ${path.basename(program as string)} (${file}):\n${output}`,
    );
  }
}

export function writeConfig(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

export function prometheusArgs(configFile: string, dataDir: string, port: number): string[] {
  return [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--storage.tsdb.retention.time=1d",
  ];
}

export function alertmanagerArgs(configFile: string, dataDir: string, port: number): string[] {
  return [
    `--config.file=${configFile}`,
    `--storage.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    // An empty address turns clustering (gossip on 9094) off: one local instance, no port clash.
    "--cluster.listen-address=",
  ];
}
