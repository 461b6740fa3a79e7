/**
 * Just enough PromQL reading to investigate an alert without knowing its metric names: the
 * threshold comparison at the top of an alerting expression, the vector selectors it uses, and its
 * range windows. A scanner, not a parser: it follows nesting and strings and nothing more.
 */

export interface Matcher {
  label: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
}

export interface Selector {
  metric: string;
  matchers: Matcher[];
  /** The range of `metric{...}[5m]`, in seconds. */
  rangeSeconds?: number;
}

export interface Threshold {
  /** The expression compared, e.g. the error ratio of `(...) > 0.05`. */
  signal: string;
  comparator: ">" | ">=" | "<" | "<=" | "==" | "!=";
  threshold: number;
}

const durationUnits: Record<string, number> = {
  ms: 0.001,
  s: 1,
  m: 60,
  h: 3600,
  d: 86400,
  w: 604800,
  y: 31536000,
};

/** `1m30s` → 90; undefined when not a Prometheus duration. */
export function parseDuration(text: string): number | undefined {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text.trim()) return undefined;
  return parts.reduce((sum, p) => sum + Number(p[1]) * (durationUnits[p[2] as string] as number), 0);
}

const comparators = [">=", "<=", "==", "!=", ">", "<"] as const;
const flipped: Record<Threshold["comparator"], Threshold["comparator"]> = {
  ">": "<",
  "<": ">",
  ">=": "<=",
  "<=": ">=",
  "==": "==",
  "!=": "!=",
};

/**
 * The first top-level `signal <op> number` comparison (either side may be the number); clauses
 * joined by `and`/`or`/`unless` are tried in order.
 */
export function parseThreshold(expr: string): Threshold | undefined {
  for (const clause of splitTopLevel(expr, /^(and|or|unless)\b/)) {
    const parts = topLevelComparison(clause);
    if (!parts) continue;
    const left = parts.left.trim();
    const right = parts.right.replace(/^\s*bool\b/, "").trim();
    const rightNumber = numberLiteral(right);
    if (rightNumber !== undefined)
      return { signal: unwrap(left), comparator: parts.op, threshold: rightNumber };
    const leftNumber = numberLiteral(left);
    if (leftNumber !== undefined)
      return { signal: unwrap(right), comparator: flipped[parts.op], threshold: leftNumber };
  }
  return undefined;
}

const aggregations = new Set([
  "sum",
  "min",
  "max",
  "avg",
  "group",
  "stddev",
  "stdvar",
  "count",
  "count_values",
  "bottomk",
  "topk",
  "quantile",
  "limitk",
  "limit_ratio",
]);
const labelListKeywords = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);
const otherKeywords = new Set(["and", "or", "unless", "bool", "offset", "inf", "nan", "atan2"]);

/** The vector selectors of an expression, in order of appearance. */
export function selectors(expr: string): Selector[] {
  const out: Selector[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i] as string;
    if (c === '"' || c === "'" || c === "`") {
      i = stringEnd(expr, i);
      continue;
    }
    if (c === "[") {
      i = closing(expr, i, "[", "]") + 1;
      continue;
    }
    if (/[0-9.]/.test(c)) {
      // Numbers and durations (`5m`, `1e-3`) are not names.
      while (i < expr.length && /[0-9a-zA-Z_.]/.test(expr[i] as string)) i++;
      continue;
    }
    if (c === "{") {
      const sel = readSelector(expr, i, "");
      if (sel.selector.metric || sel.selector.matchers.length) out.push(sel.selector);
      i = sel.end;
      continue;
    }
    const ident = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i));
    if (!ident) {
      i++;
      continue;
    }
    const name = ident[0];
    let j = skipSpace(expr, i + name.length);
    if (labelListKeywords.has(name)) {
      i = expr[j] === "(" ? closing(expr, j, "(", ")") + 1 : j;
      continue;
    }
    if (expr[j] === "(" || aggregations.has(name) || otherKeywords.has(name)) {
      i = j;
      continue;
    }
    const sel =
      expr[j] === "{" ? readSelector(expr, j, name) : { selector: { metric: name, matchers: [] }, end: j };
    j = skipSpace(expr, sel.end);
    if (expr[j] === "[") {
      const end = closing(expr, j, "[", "]");
      const range = parseDuration(expr.slice(j + 1, end).split(":")[0] ?? "");
      if (range !== undefined) (sel.selector as Selector).rangeSeconds = range;
      j = end + 1;
    }
    out.push(sel.selector);
    i = j;
  }
  return out;
}

/** The longest range window in an expression (`[30s]`, a subquery's `[5m:1m]`), in seconds. */
export function maxRangeSeconds(expr: string): number | undefined {
  const ranges = [...expr.matchAll(/\[([0-9a-z.]+)(?::[0-9a-z.]*)?\]/g)]
    .map((m) => parseDuration(m[1] as string))
    .filter((s): s is number => s !== undefined);
  return ranges.length ? Math.max(...ranges) : undefined;
}

export function formatSelector(metric: string, matchers: readonly Matcher[]): string {
  const inner = matchers.map((m) => `${m.label}${m.op}${JSON.stringify(m.value)}`).join(", ");
  return inner ? `${metric}{${inner}}` : metric;
}

function readSelector(expr: string, open: number, metric: string): { selector: Selector; end: number } {
  const end = closing(expr, open, "{", "}");
  const matchers: Matcher[] = [];
  const body = expr.slice(open + 1, end);
  const pattern =
    /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`)\s*,?/gy;
  for (let m = pattern.exec(body); m; m = pattern.exec(body)) {
    matchers.push({ label: m[1] as string, op: m[2] as Matcher["op"], value: unquote(m[3] as string) });
  }
  const nameMatcher = matchers.find((m) => m.label === "__name__" && m.op === "=");
  const selector: Selector = {
    metric: metric || nameMatcher?.value || "",
    matchers: matchers.filter((m) => m !== nameMatcher),
  };
  return { selector, end: end + 1 };
}

function unquote(quoted: string): string {
  const body = quoted.slice(1, -1);
  if (quoted.startsWith("`")) return body;
  return body.replace(/\\(.)/g, (_, ch: string) => ({ n: "\n", t: "\t" })[ch] ?? ch);
}

function topLevelComparison(
  expr: string,
): { left: string; op: Threshold["comparator"]; right: string } | undefined {
  let depth = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i] as string;
    if (c === '"' || c === "'" || c === "`") {
      i = stringEnd(expr, i) - 1;
    } else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (depth === 0) {
      const op = comparators.find((o) => expr.startsWith(o, i));
      if (op) return { left: expr.slice(0, i), op, right: expr.slice(i + op.length) };
    }
  }
  return undefined;
}

function splitTopLevel(expr: string, keyword: RegExp): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i] as string;
    if (c === '"' || c === "'" || c === "`") {
      i = stringEnd(expr, i) - 1;
    } else if ("([{".includes(c)) depth++;
    else if (")]}".includes(c)) depth--;
    else if (depth === 0 && /\s/.test(expr[i - 1] ?? " ") && keyword.test(expr.slice(i))) {
      parts.push(expr.slice(start, i));
      start = i + (keyword.exec(expr.slice(i))?.[0].length ?? 0);
    }
  }
  parts.push(expr.slice(start));
  return parts;
}

/** Drops parentheses around a whole expression: `(a / b)` → `a / b`. */
function unwrap(expr: string): string {
  let s = expr.trim();
  while (s.startsWith("(") && closing(s, 0, "(", ")") === s.length - 1) s = s.slice(1, -1).trim();
  return s;
}

function numberLiteral(text: string): number | undefined {
  const t = unwrap(text);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return undefined;
  return Number(t);
}

function closing(expr: string, open: number, openCh: string, closeCh: string): number {
  let depth = 0;
  for (let i = open; i < expr.length; i++) {
    const c = expr[i] as string;
    if (c === '"' || c === "'" || c === "`") i = stringEnd(expr, i) - 1;
    else if (c === openCh) depth++;
    else if (c === closeCh && --depth === 0) return i;
  }
  return expr.length - 1;
}

/** The index just past the string literal starting at `start`. */
function stringEnd(expr: string, start: number): number {
  const quote = expr[start];
  for (let i = start + 1; i < expr.length; i++) {
    if (expr[i] === "\\" && quote !== "`") i++;
    else if (expr[i] === quote) return i + 1;
  }
  return expr.length;
}

function skipSpace(expr: string, from: number): number {
  let i = from;
  while (i < expr.length && /\s/.test(expr[i] as string)) i++;
  return i;
}
