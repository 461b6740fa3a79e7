import type { BlamedLine, CommitInfo, SourceEvidence } from "../evidence/source.js";
import { WILDCARD } from "../mining/mask.js";
import type { ErrorSignature, SuspectChange } from "../report.js";
import type { Analyzer, AnalyzerResult } from "./analyzer.js";

/**
 * The change most likely to have introduced the failure: `git blame` of the lines in the failing
 * stack's innermost frames inside the repo (or, without a stack, of the source lines that print the
 * error message), plus recent commits that changed the files on the failing stack; the most recent
 * one committed before the alert started is the suspect, with the hunk that introduced its line.
 */

const name = "suspect-change";
const maxFrames = 5;
const maxGrepHits = 8;
const maxGreps = 12;
const day = 86_400;

interface Candidate {
  commit: CommitInfo;
  file: string;
  /** Line in the commit's version of the file; undefined for a commit that only touched the file. */
  originalLine?: number;
  /** Line in the working tree, as the frame or search names it. */
  line?: number;
  reason: string;
  strength: number;
}

export const suspectChangeAnalyzer: Analyzer = {
  name,
  async analyze(ctx): Promise<AnalyzerResult> {
    const source = ctx.evidence.source;
    if (!source.available)
      return { findings: [finding("No suspect change: the source is unavailable", source.reason, 0)] };
    const src = source.value;
    const signature = ctx.conclusions.errorSignature;
    const latest = src.commitsBeforeAlert[0];
    const latestNote = latest
      ? ` The most recent commit before the alert is ${short(latest)} (${latest.authorDate}), which no evidence links to the failure.`
      : "";
    if (!signature) {
      return {
        findings: [
          finding(
            "No suspect change: no error signature to trace into the code",
            `Without a failing stack or error message there is no line to blame.${latestNote}`,
            0.1,
          ),
        ],
      };
    }
    const alertStart = Date.parse(ctx.alert.startsAt) / 1000;
    const { candidates, traced } = await candidatesFor(signature, src);
    const eligible = candidates.filter((c) => c.commit.committedAt <= alertStart);
    eligible.sort((a, b) => b.commit.committedAt - a.commit.committedAt || b.strength - a.strength);
    const top = eligible[0];
    const uncommitted = src.uncommitted.length
      ? ` Uncommitted changes in the working tree: ${src.uncommitted.join(", ")}.`
      : "";
    if (!top) {
      return {
        findings: [
          finding(
            "No suspect change found",
            `${traced || "No line of the failing stack or error message maps into the repo."}${uncommitted}${latestNote}`,
            0.1,
          ),
        ],
      };
    }
    const hunk =
      top.originalLine !== undefined
        ? await src.hunk(top.commit.sha, top.file, top.originalLine)
        : await src.diff(top.commit.sha, top.file);
    const files = await src.filesOf(top.commit.sha);
    const ageDays = (alertStart - top.commit.committedAt) / day;
    const recency = ageDays <= 7 ? 1 : ageDays <= 30 ? 0.75 : 0.5;
    const suspect: SuspectChange = {
      commit: top.commit.sha,
      author: top.commit.author,
      authorDate: top.commit.authorDate,
      subject: top.commit.subject,
      file: top.file,
      ...(top.line !== undefined ? { line: top.line } : {}),
      hunk: hunk ?? "",
      reason: top.reason,
      files,
    };
    const others = [...new Set(eligible.slice(1).map((c) => short(c.commit)))].filter(
      (s) => s !== short(top.commit),
    );
    return {
      findings: [
        {
          analyzer: name,
          title: `Suspect change: ${short(top.commit)} "${top.commit.subject}" (${top.commit.author}, ${top.commit.authorDate})`,
          detail:
            `${top.reason}; committed ${age(ageDays)} before the alert started.` +
            `${others.length ? ` Older commits on the same path: ${others.slice(0, 5).join(", ")}.` : ""}${uncommitted}`,
          confidence: Math.round(top.strength * recency * 100) / 100,
          evidence: [`git blame / git show ${top.commit.sha.slice(0, 12)} -- ${top.file}`],
        },
      ],
      conclusions: { suspectChange: suspect },
    };
  },
};

async function candidatesFor(
  signature: ErrorSignature,
  src: SourceEvidence,
): Promise<{ candidates: Candidate[]; traced: string }> {
  const candidates: Candidate[] = [];
  const add = (blamed: BlamedLine | undefined, line: number, reason: string, strength: number) => {
    if (blamed?.commit) {
      candidates.push({
        commit: blamed.commit,
        file: blamed.originalFile,
        originalLine: blamed.originalLine,
        line,
        reason,
        strength,
      });
    }
  };
  const stackFiles: string[] = [];
  let depth = 0;
  for (const frame of signature.frames) {
    if (depth >= maxFrames) break;
    const located = await src.locate(frame.file, frame.line, frame.code);
    if (!located || frame.line <= 0) continue;
    const where = `${located.file}:${frame.line}${frame.function ? ` in ${frame.function}` : ""}`;
    if (located.differs !== undefined) {
      // Blaming a repo that is not what ran would name a change that never ran.
      return {
        candidates: [],
        traced: `The repo does not match the running code: the trace shows \`${frame.code}\` at ${where}, the repo has ${located.differs ? `\`${located.differs}\`` : "nothing there"}; no line can be blamed.`,
      };
    }
    stackFiles.push(located.file);
    const reason =
      depth === 0
        ? `git blame of the line that raised (${where})`
        : `git blame of a frame on the failing stack (${where})`;
    add(await src.blame(located.file, frame.line), frame.line, reason, depth === 0 ? 0.85 : 0.75);
    depth++;
  }
  if (stackFiles.length) {
    const blamed = new Set(candidates.map((c) => c.commit.sha));
    for (const commit of await src.commitsTouching([...new Set(stackFiles)])) {
      if (blamed.has(commit.sha)) continue;
      const files = await src.filesOf(commit.sha);
      const file = stackFiles.find((f) => files.includes(f)) ?? (stackFiles[0] as string);
      candidates.push({ commit, file, reason: `changed ${file}, on the failing stack`, strength: 0.45 });
    }
    return {
      candidates,
      traced: `The failing stack maps to ${[...new Set(stackFiles)].join(", ")}, but no commit before the alert changed those lines.`,
    };
  }
  // No stack inside the repo: find the lines that print the error message.
  let greps = 0;
  const seen = new Set<string>();
  for (const fragment of literalFragments(signature.template)) {
    for (const attempt of shorterFromStart(fragment)) {
      if (greps++ >= maxGreps) break;
      const hits = await src.grep(attempt);
      if (!hits.length) continue;
      for (const hit of hits.slice(0, maxGrepHits)) {
        const key = `${hit.file}:${hit.line}`;
        if (seen.has(key)) continue;
        seen.add(key);
        add(
          await src.blame(hit.file, hit.line),
          hit.line,
          `git blame of the line printing "${attempt}" (${key})`,
          0.65,
        );
      }
      break;
    }
  }
  return {
    candidates,
    traced: seen.size
      ? `The error message is printed at ${[...seen].join(", ")}, but no commit before the alert changed those lines.`
      : "",
  };
}

/** The constant runs of a template or message, longest first, trimmed of punctuation. */
function literalFragments(text: string): string[] {
  return text
    .split(WILDCARD)
    .flatMap((part) => part.split(/["{}[\]]/))
    .map((f) => f.replace(/^[\s:;,.=()'-]+|[\s:;,()'-]+$/g, ""))
    .filter((f) => f.split(/\s+/).length >= 3 || f.length >= 16)
    .sort((a, b) => b.length - a.length);
}

/** The fragment, then without its first word, and so on while three words remain (drops log prefixes). */
function shorterFromStart(fragment: string): string[] {
  const words = fragment.split(/\s+/);
  const out: string[] = [];
  for (let i = 0; words.length - i >= 3 || (i === 0 && fragment.length >= 16); i++)
    out.push(words.slice(i).join(" "));
  return out;
}

function finding(title: string, detail: string, confidence: number) {
  return { analyzer: name, title, detail, confidence };
}

function short(c: CommitInfo): string {
  return c.sha.slice(0, 10);
}

function age(days: number): string {
  if (days < 1 / 24) return `${Math.max(1, Math.round(days * 1440))} min`;
  if (days < 2) return `${Math.round(days * 24)} h`;
  return `${Math.round(days)} days`;
}
