import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { type Alert, parseAlertDocument } from "../alerts/alert.js";
import { fetchActiveAlerts } from "../alerts/alertmanager.js";
import { investigateWithModel } from "../investigate/agent/investigate.js";
import { investigate } from "../investigate/engine.js";
import { renderMarkdown } from "../investigate/render.js";
import type { Report } from "../investigate/report.js";
import type { Environment } from "../manifest/load.js";
import { LocalRuntime, loadRunningWorld } from "../runtime/local.js";
import { errorMessage, UserError } from "../util/errors.js";
import { action, progress } from "./action.js";
import { collect, readUserFile } from "./args.js";
import { type ModelCliOptions, modelChoiceFrom, withModelOptions } from "./model-options.js";

interface OutputOptions extends ModelCliOptions {
  stateDir?: string;
  output?: string;
  json?: boolean;
}

interface AlertmanagerOptions extends OutputOptions {
  file: string;
  alertmanagerUrl?: string;
  alertmanagerAlertname?: string;
  alertmanagerLabel: string[];
  alertmanagerUsername?: string;
  alertmanagerPassword?: string;
}

interface AlertFileOptions extends OutputOptions {
  manifest: string;
  file: string;
}

export function registerInvestigateCommand(program: Command): void {
  const investigateCmd = program
    .command("investigate")
    .description("investigate alerts read-only and report the cause (markdown, or JSON with --json)");

  withOutput(
    investigateCmd
      .command("alertmanager")
      .description("investigate the active alerts in Alertmanager (API v2)")
      .requiredOption("-f, --file <fixloop.yaml>", "environment manifest"),
  )
    .option("--alertmanager-url <url>", "Alertmanager base URL (default: the running world's)")
    .option("--alertmanager-alertname <name>", "only alerts with this name")
    .option("--alertmanager-label <k=v>", "only alerts with this label (repeatable)", collect, [])
    .option("--alertmanager-username <user>", "basic auth user")
    .option("--alertmanager-password <password>", "basic auth password")
    .action(
      action(async (opts: AlertmanagerOptions) => {
        const labels = parseLabels(opts.alertmanagerLabel);
        const envm = loadRunningWorld(opts.file, opts.stateDir);
        const runtime = new LocalRuntime(envm);
        const url = opts.alertmanagerUrl ?? defaultAlertmanagerUrl(envm, runtime);
        progress(`fetching active alerts from ${url}`);
        const alerts = await fetchActiveAlerts(url, {
          ...(opts.alertmanagerAlertname ? { alertname: opts.alertmanagerAlertname } : {}),
          labels,
          ...(opts.alertmanagerUsername !== undefined ? { username: opts.alertmanagerUsername } : {}),
          ...(opts.alertmanagerPassword !== undefined ? { password: opts.alertmanagerPassword } : {}),
        });
        return investigateAll(alerts, envm, runtime, opts, `no active alerts at ${url}`);
      }),
    );

  withOutput(
    investigateCmd
      .command("alert")
      .description("investigate a saved alert: an Alertmanager webhook payload (v4), alert object or list")
      .requiredOption("--file <alert.json>", "the saved alert")
      .requiredOption("-f, --manifest <fixloop.yaml>", "environment manifest"),
  ).action(
    action(async (opts: AlertFileOptions) => {
      const envm = loadRunningWorld(opts.manifest, opts.stateDir);
      return investigateAll(
        readAlerts(opts.file),
        envm,
        new LocalRuntime(envm),
        opts,
        `${opts.file} holds no alerts`,
      );
    }),
  );
}

function withOutput(cmd: Command): Command {
  return withModelOptions(
    cmd
      .option("--state-dir <dir>", "the world's state dir (overrides the manifest's stateDir)")
      .option("-o, --output <file>", "write the report to this file instead of stdout")
      .option("--json", "print {reports: [...]}: each report with its findings and the evidence behind them"),
  );
}

async function investigateAll(
  alerts: Alert[],
  envm: Environment,
  runtime: LocalRuntime,
  opts: OutputOptions,
  none: string,
): Promise<number> {
  const model = modelChoiceFrom(opts);
  const reports: Report[] = [];
  let skipped = 0;
  for (const alert of alerts) {
    try {
      reports.push(
        model
          ? await investigateWithModel(alert, envm, runtime, { onProgress: progress, model })
          : await investigate(alert, envm, runtime, { onProgress: progress }),
      );
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      progress(`skipped ${alert.name}: ${errorMessage(err)}`);
      skipped++;
    }
  }
  if (alerts.length === 0) progress(none);
  const text = opts.json
    ? `${JSON.stringify({ reports }, null, 2)}\n`
    : reports.map(renderMarkdown).join("\n---\n\n");
  if (opts.output) {
    writeFileSync(opts.output, text);
    progress(`report written to ${opts.output}`);
  } else process.stdout.write(text);
  return skipped > 0 && reports.length === 0 ? 1 : 0;
}

function defaultAlertmanagerUrl(envm: Environment, runtime: LocalRuntime): string {
  const am = envm.manifest.monitoring.alertmanager;
  const url = runtime.status().alertmanagerUrl ?? (am.mode === "external" ? am.url : undefined);
  if (!url)
    throw new UserError(
      `no --alertmanager-url given and ${envm.file}'s world is not up (state in ${envm.stateDir})`,
    );
  return url;
}

function readAlerts(file: string): Alert[] {
  const text = readUserFile(file, "alert");
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new UserError(`${file}: not JSON: ${errorMessage(err)}`);
  }
  const parsed = parseAlertDocument(doc);
  if ("error" in parsed) throw new UserError(`${file}: ${parsed.error}`);
  return parsed.alerts;
}

function parseLabels(pairs: string[]): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new UserError(`--alertmanager-label ${pair}: expected k=v`);
    labels[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return labels;
}
