import { type Command, Option } from "commander";
import { loadManifest } from "../manifest/load.js";
import { realStages } from "../pipeline/stages.js";
import type { ServerAuth } from "../server/auth.js";
import { startService } from "../server/service.js";
import { uiRoutes } from "../server/ui/routes.js";
import { UserError } from "../util/errors.js";
import { action, progress } from "./action.js";
import { portNumber, positiveInt } from "./args.js";
import { type ModelCliOptions, modelChoiceFrom, withModelOptions } from "./model-options.js";
import { manifestOptions } from "./world.js";

interface ServeOptions extends ModelCliOptions {
  file: string;
  stateDir?: string;
  host: string;
  port: number;
  authToken?: string;
  basicAuth?: string;
  maxBodyBytes?: number;
}

export const defaultServePort = 9470;

export function registerServeCommand(program: Command): void {
  withModelOptions(
    manifestOptions(
      program
        .command("serve")
        .description(
          "receive Alertmanager webhooks and run each alert through investigate → patch → verify (never deploys)",
        ),
    ),
  )
    .option("--host <address>", "address to listen on", "127.0.0.1")
    .option("--port <port>", `port to listen on (0: any free port)`, portNumber, defaultServePort)
    .addOption(
      new Option(
        "--auth-token <token>",
        "require 'Authorization: Bearer <token>' (all routes but /healthz)",
      ).env("FIXLOOP_AUTH_TOKEN"),
    )
    .addOption(
      new Option("--basic-auth <user:password>", "require HTTP basic auth (all routes but /healthz)").env(
        "FIXLOOP_BASIC_AUTH",
      ),
    )
    .option("--max-body-bytes <n>", "larger request bodies are refused with 413 (default 1 MiB)", positiveInt)
    .action(
      action(async (opts: ServeOptions) => {
        const envm = loadManifest(opts.file, { stateDir: opts.stateDir });
        const auth = serverAuth(opts);
        const model = modelChoiceFrom(opts);
        if (!auth && !isLoopback(opts.host))
          progress(
            `warning: serving on ${opts.host} without authentication; pass --auth-token or --basic-auth`,
          );
        const service = await startService(
          {
            stateDir: envm.stateDir,
            host: opts.host,
            port: opts.port,
            auth,
            maxBodyBytes: opts.maxBodyBytes,
            log: progress,
            ui: uiRoutes,
          },
          realStages({ manifestFile: envm.file, stateDir: opts.stateDir, ...(model ? { model } : {}) }),
        );
        process.stdout.write(`listening on ${service.url} (webhook ${service.url}/webhooks/alertmanager)\n`);
        progress(`incident store ${service.store.file}`);
        await stopSignal();
        progress("stopping: running stages are interrupted and resume at the next start");
        await service.close();
        return 0;
      }),
    );
}

/** Resolves at the first SIGINT/SIGTERM; a second one exits at once. */
function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    const onSignal = () => {
      process.once("SIGINT", () => process.exit(130));
      process.once("SIGTERM", () => process.exit(130));
      resolve();
    };
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
  });
}

function serverAuth(opts: ServeOptions): ServerAuth | undefined {
  if (opts.authToken !== undefined && opts.basicAuth !== undefined)
    throw new UserError("pass either --auth-token or --basic-auth, not both");
  if (opts.authToken !== undefined) {
    if (!/^\S+$/.test(opts.authToken)) throw new UserError("--auth-token must be non-empty, without spaces");
    return { bearerToken: opts.authToken };
  }
  if (opts.basicAuth !== undefined) {
    const colon = opts.basicAuth.indexOf(":");
    if (colon <= 0) throw new UserError("--basic-auth expects user:password");
    return { basic: { username: opts.basicAuth.slice(0, colon), password: opts.basicAuth.slice(colon + 1) } };
  }
  return undefined;
}

function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host.startsWith("127.");
}
