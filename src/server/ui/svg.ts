/** Small pieces the SVG charts share: coordinates, scales, ticks. Output is deterministic text. */

/** A coordinate as SVG text, to 0.1 px. Callers pass finite numbers only: charts drop unusable data first. */
export function px(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`chart coordinate is not finite: ${x}`);
  return String(Math.round(x * 10) / 10);
}

export function isFiniteNumber(x: number | undefined): x is number {
  return x !== undefined && Number.isFinite(x);
}

/** Maps [d0, d1] linearly onto [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (x: number) => number {
  const span = d1 - d0 || 1;
  return (x) => r0 + ((x - d0) / span) * (r1 - r0);
}

/** Round ticks from 0 to just above `max` (1, 2, 2.5 or 5 × 10^k apart), about `target` of them. */
export function niceTicks(max: number, target = 5): number[] {
  const top = max > 0 ? max : 1;
  const raw = top / target;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 2.5, 5, 10].find((f) => f * magnitude >= raw) ?? 10) * magnitude;
  const count = Math.max(1, Math.ceil(top / step - 1e-9));
  return Array.from({ length: count + 1 }, (_, i) => Number((i * step).toPrecision(12)));
}

/** Approximate width of a label in the charts' 12 px system font, for layout without a browser. */
export function textWidth(text: string, fontPx = 12): number {
  return text.length * fontPx * 0.58;
}
