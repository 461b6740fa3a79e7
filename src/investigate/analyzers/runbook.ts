import type { RunbookDoc } from "../evidence/runbooks.js";
import type { Analyzer, AnalyzerResult } from "./analyzer.js";

/**
 * The runbook for this alert: front matter `alerts:` naming it, else `service:` naming the
 * service, else the alert's name (or its runbook_url) in a title or file name. Its steps are cited.
 */

const name = "runbook";
const maxSteps = 15;
const maxStepChars = 400;

export const runbookAnalyzer: Analyzer = {
  name,
  analyze(ctx): AnalyzerResult {
    const runbooks = ctx.evidence.runbooks;
    if (!runbooks.available) {
      return { findings: [{ analyzer: name, title: "No runbook", detail: runbooks.reason, confidence: 0 }] };
    }
    const match = bestRunbook(runbooks.value, ctx.alert.name, ctx.service, ctx.alert.annotations.runbook_url);
    if (!match) {
      return {
        findings: [
          {
            analyzer: name,
            title: "No runbook matches this alert",
            detail: `${runbooks.value.length} runbooks read; none names ${ctx.alert.name} or ${ctx.service}.`,
            confidence: 0,
          },
        ],
      };
    }
    const steps = stepsOf(match.doc.body);
    return {
      findings: [
        {
          analyzer: name,
          title: `Runbook: ${match.doc.title} (${match.doc.path})`,
          detail: `Matched by ${match.how}.${steps.length ? `\n\n${steps.map((s, i) => `${i + 1}. ${s}`).join("\n")}` : ""}`,
          confidence: 0.9,
          evidence: [`read ${match.doc.path}`],
        },
      ],
      conclusions: { runbook: { path: match.doc.path, title: match.doc.title, steps } },
    };
  },
};

export function bestRunbook(
  docs: RunbookDoc[],
  alert: string,
  service: string,
  runbookUrl: string | undefined,
): { doc: RunbookDoc; how: string } | undefined {
  const kebab = alert.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
  const urlPath = runbookUrl?.replace(/[?#].*$/, "");
  const rules: [string, (d: RunbookDoc) => boolean][] = [
    ["front matter alerts:", (d) => d.alerts.includes(alert)],
    ["the alert's runbook_url", (d) => !!urlPath && (urlPath === d.path || urlPath.endsWith(`/${d.path}`))],
    ["front matter service:", (d) => d.services.includes(service)],
    [
      "the alert name in its title or file name",
      (d) =>
        [d.title, d.path].some(
          (t) => t.toLowerCase().includes(alert.toLowerCase()) || t.toLowerCase().includes(kebab),
        ),
    ],
  ];
  for (const [how, test] of rules) {
    const doc = docs.find(test);
    if (doc) return { doc, how };
  }
  return undefined;
}

/**
 * The runbook's steps: its numbered sections (`## 1. Size it`) with their bullets folded in; else
 * its numbered list items; else the bullets under headings about steps or mitigation.
 */
export function stepsOf(body: string): string[] {
  const sections = sectionsOf(body);
  const numbered = sections.filter((s) => /^\d+[.)]\s+/.test(s.heading));
  if (numbered.length) {
    return numbered
      .slice(0, maxSteps)
      .map((s) =>
        clip(`${s.heading.replace(/^\d+[.)]\s+/, "")}${s.items.length ? `: ${s.items.join("; ")}` : ""}`),
      );
  }
  const numberedItems = sections.flatMap((s) => s.items.filter((_, i) => s.numbered[i]));
  if (numberedItems.length) return numberedItems.slice(0, maxSteps).map(clip);
  return sections
    .filter((s) => /step|mitigat|remed|action|what to do|check|fix/i.test(s.heading))
    .flatMap((s) => s.items)
    .slice(0, maxSteps)
    .map(clip);
}

interface Section {
  heading: string;
  /** Top-level list items, continuation and nested lines folded into one line each. */
  items: string[];
  numbered: boolean[];
}

function sectionsOf(body: string): Section[] {
  const sections: Section[] = [{ heading: "", items: [], numbered: [] }];
  let current = sections[0] as Section;
  let inItem = false;
  for (const line of body.split("\n")) {
    const heading = /^#{1,6}\s+(.+?)\s*#*$/.exec(line);
    const item = /^\s{0,3}([-*+]|\d+[.)])\s+(.+)$/.exec(line);
    if (heading) {
      current = { heading: heading[1] as string, items: [], numbered: [] };
      sections.push(current);
      inItem = false;
    } else if (item) {
      current.items.push((item[2] as string).trim());
      current.numbered.push(/\d/.test(item[1] as string));
      inItem = true;
    } else if (inItem && /^\s+\S/.test(line)) {
      const last = current.items.length - 1;
      current.items[last] = `${current.items[last]} ${line.trim().replace(/^[-*+]\s+/, "")}`;
    } else inItem = false;
  }
  return sections;
}

function clip(text: string): string {
  return text.length > maxStepChars ? `${text.slice(0, maxStepChars - 1)}…` : text;
}
