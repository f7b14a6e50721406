/** Axis ticks at "nice" steps (1, 2, 5 × 10^k) for the report's plots. */

/** The smallest nice step ≥ span / maxTicks (at least `minStep`). */
export function niceStep(span: number, maxTicks: number, minStep = 1): number {
  if (!(span > 0) || maxTicks < 1) return minStep;
  const raw = Math.max(span / maxTicks, minStep);
  const pow = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * pow >= raw) return m * pow;
  return 10 * pow;
}

/** 0, step, 2·step, … ≤ max. */
export function ticks(max: number, step: number): number[] {
  const out: number[] = [];
  for (let i = 0; i * step <= max + 1e-9 && out.length < 1000; i++) out.push(i * step);
  return out;
}
