import { describe, expect, it } from 'vitest';
import { bfgs, nelderMead, withNumericalGradient, type Objective } from '../../../src/ml/numeric/optimize.ts';

/** Rosenbrock's banana valley, minimum 0 at (1, 1). */
const rosenbrock: Objective = (x, g) => {
  const a = x[0]!;
  const b = x[1]!;
  g[0] = -2 * (1 - a) - 400 * a * (b - a * a);
  g[1] = 200 * (b - a * a);
  return (1 - a) ** 2 + 100 * (b - a * a) ** 2;
};

describe('bfgs', () => {
  it('finds the Rosenbrock minimum from the classic start', () => {
    const r = bfgs(rosenbrock, Float64Array.of(-1.2, 1));
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(1, 6);
    expect(r.x[1]).toBeCloseTo(1, 6);
    expect(r.value).toBeLessThan(1e-12);
    expect(r.iterations).toBeLessThan(60);
  });

  it('steps back from where the objective is not finite', () => {
    // f = 10 (v − ½)² − ln v + 2v has its minimum at v = ½; for v ≤ 0 it is NaN. The first step
    // from v = 40 overshoots far below 0.
    const f: Objective = (x, g) => {
      const v = x[0]!;
      g[0] = 20 * (v - 0.5) - 1 / v + 2;
      return v > 0 ? 10 * (v - 0.5) ** 2 - Math.log(v) + 2 * v : Number.NaN;
    };
    const r = bfgs(f, Float64Array.of(40));
    expect(r.converged).toBe(true);
    expect(r.x[0]).toBeCloseTo(0.5, 6);
  });

  it('says so when it cannot start', () => {
    const r = bfgs(() => Number.NaN, Float64Array.of(0));
    expect(r.converged).toBe(false);
    expect(r.reason).toBe('non-finite');
  });
});

describe('nelderMead and numerical gradients', () => {
  it('Nelder-Mead reaches the Rosenbrock minimum without gradients', () => {
    const r = nelderMead(rosenbrock, Float64Array.of(-1.2, 1));
    expect(r.method).toBe('nelder-mead');
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
  });

  it('central differences agree with the analytic gradient', () => {
    const numeric = withNumericalGradient((x) => rosenbrock(x, new Float64Array(2)));
    const g1 = new Float64Array(2);
    const g2 = new Float64Array(2);
    const x = Float64Array.of(0.3, -0.7);
    expect(numeric(x, g1)).toBe(rosenbrock(x, g2));
    expect(g1[0]).toBeCloseTo(g2[0]!, 5);
    expect(g1[1]).toBeCloseTo(g2[1]!, 5);
  });
});
