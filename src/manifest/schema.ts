import { z } from "zod";

/**
 * The environment manifest (`fixloop.yaml`): one environment's services, monitoring, alerts and
 * runbooks. Paths are relative to the manifest's folder; strings may use `${manifestDir}`,
 * `${stateDir}` and `${scenario}`.
 */

const name = z.string().regex(/^[a-z][a-z0-9-]*$/, "a lowercase name (letters, digits, '-')");
const urlPath = z.string().startsWith("/", "a URL path starting with '/'");
const port = z.union([z.literal("auto"), z.number().int().min(1).max(65535)]).default("auto");
const argv = z.array(z.string().min(1)).min(1, "a command as a list: [program, arg, ...]");

const accessLogSchema = z
  .object({
    /** Lines carrying request attributes: `logfmt` (k=v) or `json`. */
    format: z.enum(["logfmt", "json"]).default("logfmt"),
    /** Only lines containing this marker are access-log lines. */
    marker: z.string().optional(),
    statusField: z.string().default("status"),
    durationField: z.string().default("duration_ms"),
    /** Attributes to contrast between failing and succeeding requests. */
    attributes: z.array(z.string()).default([]),
  })
  .strict();

const logsSchema = z
  .object({
    /** `stdout`: the runtime captures stdout+stderr; `file`: the service writes `path` itself. */
    capture: z.enum(["stdout", "file"]).default("stdout"),
    path: z.string().optional(),
    /** Regex a log entry's first line starts with; other lines continue the entry (tracebacks). */
    entryStart: z.string().default("^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}"),
    access: accessLogSchema.optional(),
  })
  .strict()
  .refine((l) => l.capture !== "file" || l.path, { message: "logs.path is required when capture is 'file'" });

const serviceSchema = z
  .object({
    command: argv,
    /** Git working tree holding the service's source: what the bridge patches and the verifier runs. */
    repo: z.string().optional(),
    /** Working directory; defaults to the repo, else the manifest's folder. Relative to the repo when it has one. */
    cwd: z.string().optional(),
    env: z.record(z.string(), z.string()).default({}),
    /** Env var names whose values are secrets: redacted from reports and prompts. */
    secretEnv: z.array(z.string()).default([]),
    port,
    /** Env var through which the service learns its port. */
    portEnv: z.string().default("PORT"),
    health: urlPath.default("/healthz"),
    metrics: urlPath.optional(),
    startTimeoutMs: z.number().int().positive().default(15_000),
    /** Downstream services, each mapped to the env var that carries its base URL. */
    dependsOn: z.record(name, z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "an env var name")).default({}),
    logs: logsSchema.default({
      capture: "stdout",
      entryStart: "^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}:\\d{2}",
    }),
    /** Sanity check run in a patched worktree (cwd = worktree), e.g. [python3, -m, compileall, -q, .]. */
    check: argv.optional(),
    /** Config files (relative to cwd) shown as service state. */
    configFiles: z.array(z.string()).default([]),
  })
  .strict();

const workerSchema = z
  .object({
    command: argv,
    cwd: z.string().optional(),
    env: z.record(z.string(), z.string()).default({}),
    /** Services this worker drives, each mapped to the env var that carries its base URL. */
    targets: z.record(name, z.string()).default({}),
  })
  .strict();

const managedPrometheus = z
  .object({
    mode: z.literal("managed"),
    port,
    binary: z.string().default("/usr/bin/prometheus"),
    scrapeInterval: z.string().default("1s"),
    evaluationInterval: z.string().default("1s"),
    rules: z.array(z.string()).default([]),
  })
  .strict();
const managedAlertmanager = z
  .object({
    mode: z.literal("managed"),
    port,
    binary: z.string().default("/usr/bin/prometheus-alertmanager"),
    groupWait: z.string().default("1s"),
    groupInterval: z.string().default("5s"),
    repeatInterval: z.string().default("1h"),
  })
  .strict();
const external = z.object({ mode: z.literal("external"), url: z.url() }).strict();

const trafficRequest = z
  .object({
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]).default("GET"),
    /** Path template; `{{var}}` is replaced by a value drawn from `vars`. */
    path: urlPath,
    headers: z.record(z.string(), z.string()).default({}),
    body: z.string().optional(),
    weight: z.number().positive().default(1),
  })
  .strict();

/** A variable's values: a list (uniform), a map value → weight, or an integer range (uniform, inclusive). */
const trafficVar = z.union([
  z.array(z.string()).min(1),
  z.object({ range: z.tuple([z.number().int(), z.number().int()]) }).strict(),
  z.record(z.string(), z.number().positive()).refine((m) => Object.keys(m).length > 0, "at least one value"),
]);

export const sloConditionPattern = /^\s*([a-z_0-9]+)\s*(>=|<=|>|<)\s*([0-9.]+)\s*$/;

const alertSchema = z
  .object({
    service: name,
    /** The condition that means "violated", e.g. `error_rate > 0.05` or `p99_ms > 300`. */
    slo: z.string().regex(sloConditionPattern, "a condition like 'error_rate > 0.05' or 'p99_ms > 300'"),
    /** Regression watchlist, e.g. `p99_ms:+20%`, `error_rate:+0.01`, `downstream_error_rate:+0.02`. */
    watch: z.array(z.string().regex(/^[a-z_0-9]+:\+[0-9.]+%?$/, "'signal:+N' or 'signal:+N%'")).default([]),
    traffic: z
      .object({
        requests: z.array(trafficRequest).min(1),
        vars: z.record(z.string(), trafficVar).default({}),
      })
      .strict(),
  })
  .strict();

const scenarioSchema = z
  .object({
    description: z.string(),
    /** Commands run before services start (cwd = manifest folder), e.g. to build a source repo. */
    prepare: z.array(argv).default([]),
    /** Env overrides per service. */
    env: z.record(name, z.record(z.string(), z.string())).default({}),
    /** The alert the scenario is designed to fire, and the verdict the pipeline should reach on it (used by `demo`). */
    alert: z.string().optional(),
    expect: z.enum(["PASS", "REJECT", "INCONCLUSIVE"]).optional(),
  })
  .strict();

export const manifestSchema = z
  .object({
    version: z.literal(1),
    name,
    stateDir: z.string().default(".fixloop"),
    services: z.record(name, serviceSchema).refine((s) => Object.keys(s).length > 0, "at least one service"),
    /** Long-running helpers started after the services (load generators); not investigated. */
    workers: z.record(name, workerSchema).default({}),
    monitoring: z
      .object({
        prometheus: z.discriminatedUnion("mode", [managedPrometheus, external]),
        alertmanager: z.discriminatedUnion("mode", [managedAlertmanager, external]),
      })
      .strict(),
    alerts: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an alert name"), alertSchema).default({}),
    runbooks: z.string().optional(),
    scenarios: z.record(name, scenarioSchema).default({}),
    defaultScenario: name.optional(),
  })
  .strict();

export type Manifest = z.infer<typeof manifestSchema>;
export type ServiceSpec = z.infer<typeof serviceSchema>;
export type WorkerSpec = z.infer<typeof workerSchema>;
export type AlertSpec = z.infer<typeof alertSchema>;
export type TrafficRequest = z.infer<typeof trafficRequest>;
export type ScenarioSpec = z.infer<typeof scenarioSchema>;
export type AccessLogSpec = z.infer<typeof accessLogSchema>;
