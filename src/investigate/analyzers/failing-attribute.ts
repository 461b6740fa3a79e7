import { parseAccessLine } from "../access-log.js";
import {
  type AttributeFinding,
  type ContrastRecord,
  contrastAttributes,
  describeFinding,
} from "../mining/contrast.js";
import type { FailingAttribute, RequestLogSummary } from "../report.js";
import type { Analyzer, AnalyzerResult } from "./analyzer.js";

/**
 * Which request attributes set failing requests apart: access-log lines in the window (per the
 * manifest's `logs.access`), status ≥ 500 failing, contrasted attribute by attribute. Values made
 * of separated parts (`item-142-3`) are also contrasted part by part, so a trait of a middle part
 * (a SKU ending in 7) is found as well as one of the whole value.
 */

const name = "failing-attribute";
const shown = 3;

export const failingAttributeAnalyzer: Analyzer = {
  name,
  analyze(ctx): AnalyzerResult {
    const access = ctx.spec.logs.access;
    const logs = ctx.evidence.logs;
    if (!access) {
      return {
        findings: [
          note("No failing-attribute contrast: the manifest has no logs.access for this service", ""),
        ],
      };
    }
    if (!logs.available)
      return { findings: [note("No failing-attribute contrast: the logs are unavailable", logs.reason)] };
    const records: ContrastRecord[] = [];
    const byStatus: Record<string, number> = {};
    let failing = 0;
    for (const entry of logs.value.inWindow) {
      const parsed = parseAccessLine(entry.text.split("\n", 1)[0] ?? "", access);
      if (!parsed) continue;
      byStatus[parsed.status] = (byStatus[parsed.status] ?? 0) + 1;
      const failed = parsed.status >= 500;
      if (failed) failing++;
      const names = access.attributes.length
        ? access.attributes
        : Object.keys(parsed.fields).filter((k) => k !== access.statusField && k !== access.durationField);
      const attributes: Record<string, string> = {};
      for (const attr of names) {
        const value = parsed.fields[attr];
        if (value !== undefined) attributes[attr] = value;
      }
      records.push({ attributes: withParts(attributes), failed });
    }
    const requestLog: RequestLogSummary = { total: records.length, failing, byStatus };
    const evidence = [logs.value.action];
    if (records.length === 0) {
      return {
        findings: [
          note(
            "No failing-attribute contrast: no access-log lines in the window",
            `marker ${JSON.stringify(access.marker ?? "")}`,
          ),
        ],
      };
    }
    const found = informative(contrastAttributes(records));
    const attributes: FailingAttribute[] = found.slice(0, shown).map((f) => ({
      attribute: f.attribute,
      feature: f.feature,
      value: f.value,
      description: describeFinding(f),
      trait: traitOf(describeFinding(f)),
      failing: f.failing,
      failingTotal: f.failingTotal,
      succeeding: f.succeeding,
      succeedingTotal: f.succeedingTotal,
    }));
    const counts = `${records.length} access-logged requests in the window, ${failing} failed (status ≥ 500); by status: ${Object.entries(
      byStatus,
    )
      .map(([s, n]) => `${s}: ${n}`)
      .join(", ")}.`;
    const best = found[0];
    if (!best) {
      return {
        findings: [
          {
            analyzer: name,
            title: "No attribute sets the failing requests apart",
            detail: `${counts} No attribute value or trait is significantly more common among failures.`,
            confidence: 0.2,
            evidence,
          },
        ],
        conclusions: { requestLog, failingAttributes: [] },
      };
    }
    return {
      findings: [
        {
          analyzer: name,
          title: `Failing requests: ${describeFinding(best)}`,
          detail: `${counts}\n\n${attributeTable(attributes)}`,
          confidence: Math.min(0.95, 0.4 + 0.55 * best.score),
          evidence,
        },
      ],
      conclusions: { requestLog, failingAttributes: attributes },
    };
  },
};

function attributeTable(rows: FailingAttribute[]): string {
  return [
    "| failures have | failing | succeeding |",
    "|---|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.trait ?? r.description} | ${r.failing}/${r.failingTotal} | ${r.succeeding}/${r.succeedingTotal} |`,
    ),
  ].join("\n");
}

/** `100% of failures (5/5) have item_id ending in "-3"; …` → `item_id ending in "-3"` */
function traitOf(description: string): string {
  return /have (.+?);/.exec(description)?.[1] ?? description;
}

const partSeparator = /[-_.:/]/;
const partName = (attribute: string, index: number) => `${attribute} part ${index + 1}`;

/** Adds `<attr> part N` for each part of a value split at `-`, `_`, `.`, `:` or `/` (3+ parts). */
function withParts(attributes: Record<string, string>): Record<string, string> {
  const out = { ...attributes };
  for (const [attr, value] of Object.entries(attributes)) {
    const parts = value.split(partSeparator);
    if (parts.length < 3) continue;
    parts.forEach((part, i) => {
      if (part) out[partName(attr, i)] = part;
    });
  }
  return out;
}

/**
 * Drops findings that add nothing to the best one: a part's finding matching exactly the requests
 * of a finding on the whole value, and any finding covering no more failures than the best while
 * matching more successes.
 */
function informative(found: AttributeFinding[]): AttributeFinding[] {
  const whole = found.filter((f) => !/ part \d+$/.test(f.attribute));
  const restated = (f: AttributeFinding) =>
    whole.some(
      (w) =>
        f.attribute.startsWith(`${w.attribute} part `) &&
        w.failing === f.failing &&
        w.succeeding === f.succeeding,
    );
  const kept = found.filter((f) => !restated(f));
  const best = kept[0];
  return kept.filter(
    (f) => f === best || !(best && f.failing <= best.failing && f.succeeding > best.succeeding),
  );
}

function note(title: string, detail: string) {
  return { analyzer: name, title, detail, confidence: 0 };
}
