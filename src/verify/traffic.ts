import type { AlertSpec } from "../manifest/schema.js";
import { UserError } from "../util/errors.js";
import { seededRandom } from "../util/prng.js";

/** An alert's traffic profile (manifest `alerts.<name>.traffic`): request templates and their variables. */
export type TrafficProfile = AlertSpec["traffic"];
type VarSpec = TrafficProfile["vars"][string];

/** One concrete request of the replayed sequence; both sides receive exactly this. */
export interface PlannedRequest {
  index: number;
  /** Position of its template in the profile's `requests`. */
  template: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** The variable values drawn for it. */
  vars: Record<string, string>;
  /** Method, path and body on one line: how the proof bundle names it. */
  description: string;
}

const placeholder = /\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g;
const descriptionChars = 160;

/** Fails with a user error when a template names an undefined variable or a range is empty. */
export function checkTraffic(profile: TrafficProfile, where: string): void {
  profile.requests.forEach((req, i) => {
    for (const name of templateVars(req)) {
      if (!profile.vars[name])
        throw new UserError(`${where}.requests.${i}: '{{${name}}}' names no variable in ${where}.vars`);
    }
  });
  for (const [name, spec] of Object.entries(profile.vars)) {
    const range = rangeOf(spec);
    if (range && range[0] > range[1])
      throw new UserError(`${where}.vars.${name}: empty range [${range.join(", ")}]`);
  }
}

/**
 * The first `count` requests of the deterministic sequence for `seed`: a template drawn by weight,
 * then each variable it uses drawn once (so a variable used twice has one value per request).
 * A longer plan starts with the shorter one, so adaptive extension only appends.
 */
export function planTraffic(profile: TrafficProfile, count: number, seed: number): PlannedRequest[] {
  const random = seededRandom(seed);
  const weights = profile.requests.map((r) => r.weight);
  const varsOf = profile.requests.map((r) => [...templateVars(r)].sort());
  const plan: PlannedRequest[] = [];
  for (let index = 0; index < count; index++) {
    const template = pickWeighted(weights, random());
    const spec = profile.requests[template] as TrafficProfile["requests"][number];
    const vars: Record<string, string> = {};
    for (const name of varsOf[template] ?? []) vars[name] = drawValue(profile.vars[name] as VarSpec, random);
    const fill = (s: string) => s.replace(placeholder, (_, name: string) => vars[name] ?? "");
    const path = fill(spec.path);
    const body = spec.body === undefined ? undefined : fill(spec.body);
    plan.push({
      index,
      template,
      method: spec.method,
      path,
      headers: Object.fromEntries(Object.entries(spec.headers).map(([k, v]) => [k, fill(v)])),
      body,
      vars,
      description: describe(spec.method, path, body),
    });
  }
  return plan;
}

function templateVars(req: TrafficProfile["requests"][number]): Set<string> {
  const names = new Set<string>();
  for (const text of [req.path, req.body ?? "", ...Object.values(req.headers)]) {
    for (const m of text.matchAll(placeholder)) names.add(m[1] as string);
  }
  return names;
}

function rangeOf(spec: VarSpec): [number, number] | undefined {
  return !Array.isArray(spec) && Array.isArray(spec.range) ? (spec.range as [number, number]) : undefined;
}

function drawValue(spec: VarSpec, random: () => number): string {
  if (Array.isArray(spec)) return spec[Math.floor(random() * spec.length)] as string;
  const range = rangeOf(spec);
  if (range) return String(range[0] + Math.floor(random() * (range[1] - range[0] + 1)));
  const entries = Object.entries(spec as Record<string, number>);
  return entries[
    pickWeighted(
      entries.map(([, w]) => w),
      random(),
    )
  ]?.[0] as string;
}

function pickWeighted(weights: readonly number[], r: number): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let x = r * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i] as number;
    if (x < 0) return i;
  }
  return weights.length - 1;
}

function describe(method: string, path: string, body: string | undefined): string {
  const text = `${method} ${path}${body ? ` ${body.replace(/\s+/g, " ").trim()}` : ""}`;
  return text.length > descriptionChars ? `${text.slice(0, descriptionChars - 1)}…` : text;
}
