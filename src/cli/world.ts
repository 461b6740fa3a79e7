import type { Command } from "commander";
import { loadManifest } from "../manifest/load.js";
import { down, up } from "../runtime/lifecycle.js";
import { LocalRuntime } from "../runtime/local.js";
import { action, progress } from "./action.js";

interface ManifestOptions {
  file: string;
  scenario?: string;
  stateDir?: string;
}

export function manifestOptions<T extends Command>(cmd: T): T {
  return cmd
    .requiredOption("-f, --file <fixloop.yaml>", "environment manifest")
    .option(
      "--state-dir <dir>",
      "where runtime state, logs and data live (overrides the manifest's stateDir)",
    );
}

export function registerWorldCommands(program: Command): void {
  manifestOptions(
    program.command("up").description("start the environment's services, monitoring and workers"),
  )
    .option("--scenario <name>", "scenario to prepare (see the manifest's scenarios)")
    .option("--webhook-url <url>", "where the managed Alertmanager sends notifications")
    .action(
      action(async (opts: ManifestOptions & { webhookUrl?: string }) => {
        const envm = loadManifest(opts.file, { scenario: opts.scenario, stateDir: opts.stateDir });
        const started = Date.now();
        const state = await up(envm, { webhookUrl: opts.webhookUrl, onProgress: progress });
        progress(
          `up in ${((Date.now() - started) / 1000).toFixed(1)} s${state.scenario ? ` (scenario ${state.scenario})` : ""}`,
        );
        for (const c of state.components)
          process.stdout.write(
            `${c.kind.padEnd(12)} ${c.name.padEnd(14)} pid ${String(c.pid).padEnd(8)} ${c.url ?? ""}\n`,
          );
        return 0;
      }),
    );

  manifestOptions(program.command("down").description("stop exactly what 'up' started")).action(
    action(async (opts: ManifestOptions) => {
      const envm = loadManifest(opts.file, { stateDir: opts.stateDir });
      const { stopped } = await down(envm);
      progress(stopped.length ? `stopped ${stopped.join(", ")}` : "nothing was running");
      return 0;
    }),
  );

  manifestOptions(program.command("status").description("show what is running"))
    .option("--json", "machine-readable output")
    .action(
      action((opts: ManifestOptions & { json?: boolean }) => {
        const envm = loadManifest(opts.file, { stateDir: opts.stateDir });
        const status = new LocalRuntime(envm).status();
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(status, null, 2)}\n`);
        } else if (!status.components.length) {
          process.stdout.write("down\n");
        } else {
          for (const c of status.components) {
            const rss = c.rssBytes ? `${(c.rssBytes / 1048576).toFixed(1)} MiB` : "-";
            const state = c.running ? `up ${Math.round(c.uptimeSeconds)}s` : "DOWN";
            process.stdout.write(
              `${c.kind.padEnd(12)} ${c.name.padEnd(14)} ${state.padEnd(10)} pid ${String(c.pid).padEnd(8)} rss ${rss.padEnd(10)} ${c.url ?? ""}\n`,
            );
          }
        }
        return status.up || !status.components.length ? 0 : 1;
      }),
    );
}
