import { writeFile } from "node:fs/promises";
import { type Command, Option } from "commander";
import { bridge, type StrategyChoice, serviceTarget } from "../bridge/bridge.js";
import { llmEdit } from "../bridge/strategies/llm-edit.js";
import type { Report } from "../investigate/report.js";
import { loadManifest } from "../manifest/load.js";
import { LocalRuntime } from "../runtime/local.js";
import { worldSecrets } from "../runtime/secrets.js";
import { UserError } from "../util/errors.js";
import { action, progress } from "./action.js";
import { readUserFile } from "./args.js";
import { type ModelCliOptions, modelChoiceFrom, withModelOptions } from "./model-options.js";
import { manifestOptions } from "./world.js";

interface PatchOptions extends ModelCliOptions {
  file: string;
  stateDir?: string;
  report: string;
  service?: string;
  strategy?: StrategyChoice;
  diff?: string;
  output?: string;
  json?: boolean;
}

export function registerPatchCommand(program: Command): void {
  manifestOptions(
    withModelOptions(
      program
        .command("patch")
        .description(
          "turn an investigation report into a validated, minimal diff (never applied to the repo)",
        ),
    ),
  )
    .requiredOption("--report <report.json>", "the investigation report (JSON)")
    .option("--service <name>", "service whose repo to patch (default: the report's service)")
    .addOption(
      new Option(
        "--strategy <name>",
        "revert the suspect change, have the model edit (--model), validate an external diff, or choose (default: revert when there is a suspect change, the model's edit otherwise)",
      ).choices(["revert", "llm", "external", "auto"]),
    )
    .option("--diff <file>", "a unified diff proposed elsewhere, for --strategy external")
    .option("-o, --output <file>", "write the diff to this file instead of stdout")
    .option("--json", "print the Patch (diff, rationale, stats) as JSON")
    .action(
      action(async (opts: PatchOptions) => {
        const strategy = opts.strategy ?? (opts.diff ? "external" : "auto");
        if (opts.diff && strategy !== "external") throw new UserError("--diff goes with --strategy external");
        if (strategy === "external" && !opts.diff)
          throw new UserError("--strategy external needs --diff FILE");
        const model = modelChoiceFrom(opts);
        if (strategy === "llm" && !model) throw new UserError("--strategy llm needs --model provider/model");
        const report = await readReport(opts.report);
        const envm = loadManifest(opts.file, { stateDir: opts.stateDir });
        const target = serviceTarget(envm, opts.service ?? report.service);
        const external = opts.diff ? { diff: readUserFile(opts.diff, "diff"), source: opts.diff } : undefined;

        const llm = model && llmEdit(model, { secrets: worldSecrets(envm, new LocalRuntime(envm)) });
        const result = await bridge({ report, target, strategy, external, ...(llm ? { llm } : {}) });
        if ("reasons" in result)
          throw new UserError(`no patch for ${target.service}: ${oneLine(result.reasons.join("; "))}`, 1);
        const { patch } = result;
        progress(`${patch.strategy}: ${patch.rationale}`);
        progress(
          `${patch.files.length} file(s), +${patch.linesAdded} −${patch.linesRemoved} (${patch.files.join(", ")}), applies to ${patch.baseCommit.slice(0, 12)}`,
        );
        if (opts.output) {
          await writeFile(opts.output, patch.diff);
          progress(`wrote ${opts.output}`);
        }
        if (opts.json) process.stdout.write(`${JSON.stringify(patch, null, 2)}\n`);
        else if (!opts.output) process.stdout.write(patch.diff);
        return 0;
      }),
    );
}

async function readReport(file: string): Promise<Report> {
  const text = readUserFile(file, "report");
  let report: unknown;
  try {
    report = JSON.parse(text);
  } catch {
    throw new UserError(`${file}: not JSON; pass the report.json that 'investigate' wrote`);
  }
  // `investigate --json` writes { reports: [...] }: one alert's report is taken as it is.
  const list = (report as { reports?: unknown[] } | null)?.reports;
  if (Array.isArray(list)) {
    if (list.length !== 1)
      throw new UserError(
        `${file}: holds ${list.length} reports; investigate one alert (--alertmanager-alertname) or pass one report`,
      );
    report = list[0];
  }
  const r = report as Partial<Report> | null;
  if (
    typeof r?.service !== "string" ||
    (r.suspectChange !== undefined && typeof r.suspectChange?.commit !== "string")
  )
    throw new UserError(
      `${file}: not an investigation report (needs 'service', and 'suspectChange.commit' when present)`,
    );
  return r as Report;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " | ");
}
