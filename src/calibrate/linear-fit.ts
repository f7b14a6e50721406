/**
 * Ordinary least squares for one predictor: y = slope·x + intercept (or through the origin), with R² and
 * residuals. Used by `micronets calibrate` (latency vs Mops) and the linearity study (instructions vs ops).
 */

export interface LinearFit {
  slope: number;
  intercept: number;
  /** Coefficient of determination, 1 − SS_res / SS_tot (about the mean of y, also for origin fits). */
  r2: number;
  /** y − prediction, in input order. */
  residuals: number[];
  /** Root-mean-square of the residuals. */
  rmse: number;
  n: number;
  /** True when the intercept was fixed at 0. */
  throughOrigin: boolean;
}

/**
 * Fits y against x. Needs at least two points and two distinct x values (one for an origin fit); the caller
 * reports those as input errors, so this throws a plain RangeError for them.
 */
export function linearFit(xs: readonly number[], ys: readonly number[], opts: { throughOrigin?: boolean } = {}): LinearFit {
  const n = xs.length;
  if (n !== ys.length) throw new RangeError(`linearFit: ${n} x values but ${ys.length} y values`);
  const origin = opts.throughOrigin === true;
  if (n < (origin ? 1 : 2)) throw new RangeError(`linearFit: needs at least ${origin ? 1 : 2} points, got ${n}`);
  // Centred sums: numerically stable for large x (instruction counts near 1e9).
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  let xx = 0;
  let xy = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    const dy = ys[i]! - my;
    sxx += dx * dx;
    sxy += dx * dy;
    syy += dy * dy;
    xx += xs[i]! * xs[i]!;
    xy += xs[i]! * ys[i]!;
  }
  let slope: number;
  let intercept: number;
  if (origin) {
    if (xx === 0) throw new RangeError("linearFit: every x is 0");
    slope = xy / xx;
    intercept = 0;
  } else {
    if (sxx === 0) throw new RangeError("linearFit: every x value is the same");
    slope = sxy / sxx;
    intercept = my - slope * mx;
  }
  const residuals = xs.map((x, i) => ys[i]! - (slope * x + intercept));
  const ssRes = residuals.reduce((s, r) => s + r * r, 0);
  const r2 = syy === 0 ? (ssRes === 0 ? 1 : 0) : 1 - ssRes / syy;
  return { slope, intercept, r2, residuals, rmse: Math.sqrt(ssRes / n), n, throughOrigin: origin };
}
