import path from "node:path";
import type { Command } from "commander";
import { loadManifest } from "../manifest/load.js";
import { UserError } from "../util/errors.js";
import { action, progress } from "./action.js";
import { positiveInt, positiveNumber } from "./args.js";
import { type ModelCliOptions, modelChoiceFrom, withModelOptions } from "./model-options.js";
import { formatRun, type RunResult, runWorld } from "./run-world.js";
import { manifestOptions } from "./world.js";

/** The bundled demo world, relative to the installed package (dist/cli → package root). */
const demoManifest = path.resolve(import.meta.dirname, "../../examples/checkout/fixloop.yaml");

export function registerRunCommands(program: Command): void {
  withModelOptions(
    manifestOptions(
      program
        .command("run")
        .description("up the world, serve, run each incident through the pipeline, print a summary, down"),
    ),
  )
    .option("--scenario <name>", "scenario to prepare (see the manifest's scenarios)")
    .option("--until <n>", "stop after this many incidents have concluded", positiveInt, 1)
    .option("--timeout <seconds>", "give up waiting for incidents after this long", positiveNumber, 300)
    .option("--json", "print the summary as JSON")
    .action(
      action(
        async (
          opts: ModelCliOptions & {
            file: string;
            stateDir?: string;
            scenario?: string;
            until: number;
            timeout: number;
            json?: boolean;
          },
        ) => {
          const model = modelChoiceFrom(opts);
          const result = await runWorld({
            ...(model ? { model } : {}),
            manifestFile: opts.file,
            scenario: opts.scenario,
            stateDir: opts.stateDir,
            until: opts.until,
            timeoutMs: opts.timeout * 1000,
            onProgress: progress,
          });
          process.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatRun(result)}\n`);
          return result.timedOut ? 1 : 0;
        },
      ),
    );

  program
    .command("demo")
    .description(
      "run the bundled checkout world's scenarios; exit 0 only when each reaches its designed verdict",
    )
    .option("--state-dir <dir>", "where runtime state, logs and data live")
    .option("--scenario <name>", "run only this scenario")
    .option("--timeout <seconds>", "per scenario", positiveNumber, 300)
    .option("--json", "print the results as JSON")
    .action(
      action(async (opts: { stateDir?: string; scenario?: string; timeout: number; json?: boolean }) => {
        const envm = loadManifest(demoManifest, { stateDir: opts.stateDir });
        const scenarios = Object.entries(envm.manifest.scenarios)
          .filter(([name, s]) => s.expect && (!opts.scenario || name === opts.scenario))
          .map(([name]) => name);
        if (!scenarios.length)
          throw new UserError(
            `no demo scenario named '${opts.scenario}' (known: ${Object.keys(envm.manifest.scenarios).join(", ")})`,
          );
        const results: RunResult[] = [];
        for (const scenario of scenarios) {
          progress(`── scenario ${scenario}: ${envm.manifest.scenarios[scenario]?.description}`);
          results.push(
            await runWorld({
              manifestFile: demoManifest,
              scenario,
              stateDir: opts.stateDir,
              until: 1,
              untilAlert: envm.manifest.scenarios[scenario]?.alert,
              timeoutMs: opts.timeout * 1000,
              onProgress: progress,
            }),
          );
        }
        const verdictOf = (r: RunResult) =>
          r.incidents.find((i) => !r.alert || i.alert === r.alert)?.outcome ??
          (r.timedOut ? "TIMEOUT" : "NONE");
        const ok = results.every((r) => verdictOf(r) === r.expected);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ ok, results }, null, 2)}\n`);
        } else {
          for (const r of results) process.stdout.write(`${formatRun(r)}\n\n`);
          for (const r of results) {
            const verdict = verdictOf(r);
            process.stdout.write(
              `${r.scenario}: ${verdict} (designed: ${r.expected})${verdict === r.expected ? "" : "  ✗ MISMATCH"}\n`,
            );
          }
        }
        return ok ? 0 : 1;
      }),
    );
}
