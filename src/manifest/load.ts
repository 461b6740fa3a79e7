import { readFileSync } from "node:fs";
import path from "node:path";
import { parseDocument } from "yaml";
import type { z } from "zod";
import { UserError } from "../util/errors.js";
import { type Manifest, manifestSchema, type ServiceSpec } from "./schema.js";

/** A validated manifest with every path made absolute and variables substituted. */
export interface Environment {
  file: string;
  dir: string;
  stateDir: string;
  scenario: string | undefined;
  manifest: Manifest;
}

export interface LoadOptions {
  scenario?: string;
  /** Overrides the manifest's stateDir (tests run several worlds side by side). */
  stateDir?: string;
}

export function loadManifest(file: string, options: LoadOptions = {}): Environment {
  const absFile = path.resolve(file);
  let text: string;
  try {
    text = readFileSync(absFile, "utf8");
  } catch {
    throw new UserError(`${file}: cannot read the manifest; pass an existing file with -f`);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = first?.linePos?.[0];
    throw new UserError(
      `${file}${line ? `:${line.line}:${line.col}` : ""}: invalid YAML: ${first?.message.split("\n")[0]?.replace(/ at line \d+, column \d+:?$/, "")}`,
    );
  }
  const raw: unknown = doc.toJS();
  const dir = path.dirname(absFile);
  const rawStateDir = isRecord(raw) && typeof raw.stateDir === "string" ? raw.stateDir : ".fixloop";
  const stateDir = path.resolve(dir, options.stateDir ?? substitute(rawStateDir, { manifestDir: dir }));
  const scenario =
    options.scenario ??
    (isRecord(raw) && typeof raw.defaultScenario === "string" ? raw.defaultScenario : undefined);
  const vars = { manifestDir: dir, stateDir, scenario: scenario ?? "" };

  const parsed = manifestSchema.safeParse(substituteDeep(raw, vars));
  if (!parsed.success) throw new UserError(`${file}: ${describeIssue(parsed.error.issues[0])}`);
  const manifest = parsed.data;
  checkReferences(file, manifest, scenario);
  resolvePaths(manifest, dir);
  manifest.stateDir = stateDir;
  return { file: absFile, dir, stateDir, scenario, manifest };
}

/** The folder a service runs in: its cwd, relative to its repo when it has one. */
export function serviceCwd(spec: ServiceSpec, dir: string): string {
  const base = spec.repo ?? dir;
  return spec.cwd ? path.resolve(base, spec.cwd) : base;
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return "invalid manifest";
  const where = issue.path.length > 0 ? issue.path.join(".") : "(top level)";
  if (issue.code === "unrecognized_keys") return `${where}: unknown key(s) ${issue.keys.join(", ")}`;
  if (issue.code === "invalid_type" && issue.message.includes("received undefined"))
    return `${where}: required, ${issue.message.replace(/^Invalid input: /, "")}`;
  return `${where}: ${issue.message.replace(/^Invalid input: /, "")}`;
}

function checkReferences(file: string, m: Manifest, scenario: string | undefined): void {
  const services = Object.keys(m.services);
  const fail = (where: string, what: string): never => {
    throw new UserError(`${file}: ${where}: ${what}`);
  };
  for (const [svc, spec] of Object.entries(m.services)) {
    for (const dep of Object.keys(spec.dependsOn)) {
      if (!m.services[dep])
        fail(`services.${svc}.dependsOn.${dep}`, `no service named '${dep}' (known: ${services.join(", ")})`);
    }
  }
  for (const [worker, spec] of Object.entries(m.workers)) {
    for (const target of Object.keys(spec.targets)) {
      if (!m.services[target]) fail(`workers.${worker}.targets.${target}`, `no service named '${target}'`);
    }
  }
  for (const [alert, spec] of Object.entries(m.alerts)) {
    if (!m.services[spec.service])
      fail(`alerts.${alert}.service`, `no service named '${spec.service}' (known: ${services.join(", ")})`);
  }
  for (const [name, spec] of Object.entries(m.scenarios)) {
    if (spec.alert && !m.alerts[spec.alert])
      fail(`scenarios.${name}.alert`, `no alert named '${spec.alert}' in alerts`);
  }
  if (m.defaultScenario && !m.scenarios[m.defaultScenario])
    fail("defaultScenario", `no scenario named '${m.defaultScenario}'`);
  if (scenario && !m.scenarios[scenario]) {
    const known = Object.keys(m.scenarios);
    fail("scenarios", `no scenario named '${scenario}' (known: ${known.length ? known.join(", ") : "none"})`);
  }
  startOrder(m, file);
}

/** Services ordered so that each comes after its dependencies; a cycle is a manifest error. */
export function startOrder(m: Manifest, file = "manifest"): string[] {
  const order: string[] = [];
  const state = new Map<string, "visiting" | "done">();
  const visit = (svc: string, chain: string[]): void => {
    if (state.get(svc) === "done") return;
    if (state.get(svc) === "visiting")
      throw new UserError(`${file}: services: dependency cycle ${[...chain, svc].join(" → ")}`);
    state.set(svc, "visiting");
    for (const dep of Object.keys(m.services[svc]?.dependsOn ?? {})) visit(dep, [...chain, svc]);
    state.set(svc, "done");
    order.push(svc);
  };
  for (const svc of Object.keys(m.services)) visit(svc, []);
  return order;
}

function resolvePaths(m: Manifest, dir: string): void {
  for (const spec of Object.values(m.services)) {
    if (spec.repo) spec.repo = path.resolve(dir, spec.repo);
    if (spec.logs.path) spec.logs.path = path.resolve(serviceCwd(spec, dir), spec.logs.path);
  }
  for (const spec of Object.values(m.workers)) spec.cwd = path.resolve(dir, spec.cwd ?? ".");
  if (m.monitoring.prometheus.mode === "managed") {
    m.monitoring.prometheus.rules = m.monitoring.prometheus.rules.map((r) => path.resolve(dir, r));
  }
  if (m.runbooks) m.runbooks = path.resolve(dir, m.runbooks);
}

type Vars = Record<string, string>;

function substitute(s: string, vars: Vars): string {
  return s.replace(/\$\{(\w+)\}/g, (whole, key: string) => vars[key] ?? whole);
}

function substituteDeep(v: unknown, vars: Vars): unknown {
  if (typeof v === "string") return substitute(v, vars);
  if (Array.isArray(v)) return v.map((x) => substituteDeep(x, vars));
  if (isRecord(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, substituteDeep(x, vars)]));
  return v;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
