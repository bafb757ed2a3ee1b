// The call formulas the README writes down: ours is linear in the org and at most 0.2× the Go
// connector's for a 100,000-user, 20-workspace org (the integration test checks a synced org makes
// exactly the calls our formula says).
import { describe, expect, it } from 'vitest';
import { generateGridTenant, goFormulaCalls, gridShape, ourFormulaCalls } from '../../../lambdas/slack-enterprise/sim/index.ts';

describe('slack-enterprise call formulas', () => {
  it('100k users in 20 workspaces: ours ≤ 0.2× the Go connector’s', () => {
    const shape = gridShape(generateGridTenant({ seed: 42, users: 100_000, workspaces: 20 }));
    for (const sso of [false, true]) {
      const ours = ourFormulaCalls(shape, sso);
      expect(ours).toBeLessThanOrEqual(0.2 * goFormulaCalls(shape, sso));
      expect(ours).toBeLessThan(400);
    }
  });

  it('ours grows linearly: doubling users and workspaces at most doubles the calls (plus a constant)', () => {
    const small = ourFormulaCalls(gridShape(generateGridTenant({ seed: 1, users: 10_000, workspaces: 10 })), false);
    const big = ourFormulaCalls(gridShape(generateGridTenant({ seed: 1, users: 20_000, workspaces: 20 })), false);
    expect(big).toBeLessThanOrEqual(2 * small + 5);
    const goSmall = goFormulaCalls(gridShape(generateGridTenant({ seed: 1, users: 10_000, workspaces: 10 })), false);
    const goBig = goFormulaCalls(gridShape(generateGridTenant({ seed: 1, users: 20_000, workspaces: 20 })), false);
    expect(goBig).toBeGreaterThan(3 * goSmall);
  });
});
