import type { Estimate } from "./verdict.js";

/** Number formats shared by the watchlist summaries, the rationale and the proof bundle. */

export function fmtMs(ms: number | undefined): string {
  if (ms === undefined) return "–";
  return `${ms >= 100 ? Math.round(ms) : Number(ms.toPrecision(3))} ms`;
}

export function fmtSignedMs(ms: number): string {
  return `${ms >= 0 ? "+" : "−"}${fmtMs(Math.abs(ms))}`;
}

export function fmtRate(rate: number | undefined): string {
  if (rate === undefined) return "–";
  return `${Number((rate * 100).toPrecision(3))}%`;
}

/** A difference of two rates, in percentage points. */
export function fmtPoints(diff: number): string {
  return `${diff >= 0 ? "+" : "−"}${Number((Math.abs(diff) * 100).toPrecision(3))} pts`;
}

export function fmtP(p: number): string {
  if (p < 1e-12) return "p < 1e-12";
  return `p = ${p < 0.001 ? p.toExponential(1) : Number(p.toPrecision(2))}`;
}

export function fmtNumber(x: number | undefined, digits = 3): string {
  return x === undefined ? "–" : String(Number(x.toPrecision(digits)));
}

/** A value in its unit (`ms`, `ratio`, or plain). */
export function fmtValue(v: number | undefined, unit: string): string {
  if (v === undefined) return "–";
  if (unit === "ms") return fmtMs(v);
  if (unit === "ratio") return fmtRate(v);
  return fmtNumber(v);
}

/** A signed change in its unit: `+301 ms`, `−16 pts`, `+0.5`. */
export function fmtChange(v: number, unit: string): string {
  if (unit === "ms") return fmtSignedMs(v);
  if (unit === "ratio") return fmtPoints(v);
  return `${v >= 0 ? "+" : "−"}${fmtNumber(Math.abs(v))}`;
}

/** A confidence bound; a missing one cannot be established at this sample size. */
export function fmtBound(v: number | undefined, unit: string): string {
  return v === undefined ? "unbounded" : fmtValue(v, unit);
}

/** `10% [5.1%, 17.9%]`: the estimate and its interval. */
export function fmtEstimate(e: Estimate | undefined, unit: string): string {
  if (!e) return "(not measured)";
  return `${fmtValue(e.value, unit)} [${fmtBound(e.lower, unit)}, ${fmtBound(e.upper, unit)}]`;
}
