import { writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { loadManifest } from "../manifest/load.js";
import { LocalRuntime } from "../runtime/local.js";
import { renderBundle } from "../verify/bundle.js";
import { localRunner } from "../verify/local-runner.js";
import { resolveTarget } from "../verify/target.js";
import type { Verdict } from "../verify/verdict.js";
import { type VerifyProgress, verifyPatch } from "../verify/verify.js";
import { action, progress } from "./action.js";
import { collect, nonNegativeInt, positiveInt, readUserFile } from "./args.js";
import { manifestOptions } from "./world.js";

interface VerifyCliOptions {
  file: string;
  stateDir?: string;
  service?: string;
  patch: string;
  alert?: string;
  slo?: string;
  watch?: string[];
  requests?: number;
  maxRequests?: number;
  concurrency?: number;
  seed?: number;
  timeoutMs?: number;
  output?: string;
  json?: boolean;
}

const exitCodes: Record<Verdict["outcome"], number> = { PASS: 0, REJECT: 1, INCONCLUSIVE: 3 };

export function registerVerifyCommand(program: Command): void {
  manifestOptions(
    program
      .command("verify")
      .description(
        "run a patch against the unpatched baseline with the live service's identity and real downstreams; exit 0 PASS, 1 REJECT, 3 INCONCLUSIVE",
      ),
  )
    .requiredOption("--patch <fix.diff>", "the candidate fix: a unified diff against the service repo's HEAD")
    .option("--service <name>", "the service to verify (default: the alert's)")
    .option("--alert <name>", "the alert whose SLO, watchlist and traffic profile to use")
    .option(
      "--slo <condition>",
      "SLO condition that means 'violated', e.g. 'error_rate > 0.05' (overrides the alert's)",
    )
    .option(
      "--watch <signal:+tolerance>",
      "watch a signal for regressions, e.g. 'p99_ms:+20%' (repeatable)",
      collect,
      [],
    )
    .option("--requests <n>", "paired requests per side before the first look (default 100)", positiveInt)
    .option("--max-requests <n>", "cap of the adaptive extension (default 1000)", positiveInt)
    .option("--concurrency <c>", "requests in flight (default 4)", positiveInt)
    .option("--seed <n>", "seed of the request sequence (default 1)", nonNegativeInt)
    .option("--timeout-ms <ms>", "per-request timeout (default 5000)", positiveInt)
    .option("-o, --output <bundle.md>", "write the proof bundle (markdown, plus JSON beside it)")
    .option("--json", "print the verdict as JSON")
    .action(
      action(async (opts: VerifyCliOptions) => {
        const envm = loadManifest(opts.file, { stateDir: opts.stateDir });
        const target = resolveTarget(envm, {
          service: opts.service,
          alert: opts.alert,
          slo: opts.slo,
          watch: opts.watch,
        });
        const runner = localRunner(new LocalRuntime(envm), target.service);
        runner.identity(); // fails now, with a hint, when the environment is not up
        const diff = readUserFile(opts.patch, "patch");

        const abort = new AbortController();
        let interrupts = 0;
        const onSignal = (signal: NodeJS.Signals) => {
          interrupts++;
          if (interrupts > 1) process.exit(130); // the run scope's exit hook kills the candidates
          progress(`${signal}: stopping the candidates (again to force)`);
          abort.abort();
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
        const display = new ProgressDisplay();
        let verdict: Verdict;
        try {
          verdict = await verifyPatch({
            target,
            runner,
            patch: { diff, strategy: "external" },
            requests: opts.requests,
            maxRequests: opts.maxRequests,
            concurrency: opts.concurrency,
            seed: opts.seed,
            timeoutMs: opts.timeoutMs,
            signal: abort.signal,
            onProgress: (e) => display.show(e),
          });
        } finally {
          display.end();
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
        }

        const markdown = renderBundle(verdict);
        if (opts.output) {
          const jsonFile = `${opts.output.replace(/\.md$/, "")}.json`;
          await writeFile(opts.output, markdown);
          await writeFile(jsonFile, `${JSON.stringify(verdict, null, 2)}\n`);
          progress(`wrote ${opts.output} and ${jsonFile}`);
        }
        if (opts.json) process.stdout.write(`${JSON.stringify(verdict, null, 2)}\n`);
        else if (opts.output) process.stdout.write(`${verdict.headline}\n`);
        else process.stdout.write(markdown);
        return exitCodes[verdict.outcome];
      }),
    );
}

/**
 * Live progress on stderr: one rewritten line on a terminal; otherwise a line at most every two
 * seconds and at the end of each batch, so logs stay readable.
 */
class ProgressDisplay {
  private readonly tty = Boolean(process.stderr.isTTY);
  private lastPrint = 0;
  private open = false;

  show(e: VerifyProgress): void {
    if (e.kind === "step") {
      this.end();
      progress(e.message);
      return;
    }
    const line = `replay: ${e.done}/${e.target} requests per side · errors baseline ${e.errors.baseline}, patched ${e.errors.patched}`;
    if (this.tty) {
      process.stderr.write(`\r\x1b[K· ${line}`);
      this.open = true;
    } else if (e.done === e.target || Date.now() - this.lastPrint >= 2000) {
      this.lastPrint = Date.now();
      progress(line);
    }
  }

  end(): void {
    if (this.open) process.stderr.write("\n");
    this.open = false;
  }
}
