// `baton-serverless sim segment` / `demo`: a seeded Segment workspace behind the Public API.
// extra: groups, membersPerGroup, roles, sources, warehouses, functions, spaces (sizes),
// listPermissions / listGroupPermissions (rows of GET /users, /groups carry permissions),
// region ('us' | 'eu': only changes BATON_REGION in the config map; BATON_BASE_URL still wins).
import { type AppSimulator, applyGenericFault, type SimStartOptions } from '../../../shared/sim/kit.ts';
import { startSegmentSim } from './server.ts';
import { expectedCounts, FUNCTION_KINDS, generateTenant, type SegmentTenant, type TenantSize } from './tenant.ts';

export { type EnvelopeFault, READ_PER_MINUTE, type SegmentSim, type SegmentSimOptions, startSegmentSim, WRITE_PER_MINUTE } from './server.ts';
export type * from './tenant.ts';
export { expectedCounts, FUNCTION_KINDS, generateTenant, type SegmentTenant, type TenantSize } from './tenant.ts';

const num = (v: unknown): number | undefined =>
  typeof v === 'number' ? v : typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)) ? Number(v) : undefined;
const bool = (v: unknown): boolean => v === true || v === 'true' || v === '1';

export function tenantSizeFrom(options: SimStartOptions): TenantSize {
  const extra = options.extra ?? {};
  return {
    seed: options.seed,
    users: options.users,
    groups: num(extra.groups),
    membersPerGroup: num(extra.membersPerGroup),
    roles: num(extra.roles),
    sources: num(extra.sources),
    warehouses: num(extra.warehouses),
    functions: num(extra.functions),
    spaces: num(extra.spaces),
  };
}

export const simulator: AppSimulator = {
  name: 'segment',
  settings: {
    groups: { kind: 'number', min: 0, help: 'user groups' },
    membersPerGroup: { kind: 'number', min: 0, help: 'members of each group' },
    roles: { kind: 'number', min: 0, help: 'roles' },
    sources: { kind: 'number', min: 0, help: 'sources' },
    warehouses: { kind: 'number', min: 0, help: 'warehouses' },
    functions: { kind: 'number', min: 0, help: 'functions' },
    spaces: { kind: 'number', min: 0, help: 'spaces' },
    listPermissions: { kind: 'boolean', help: 'rows of GET /users carry permissions' },
    listGroupPermissions: { kind: 'boolean', help: 'rows of GET /groups carry permissions' },
    region: { kind: 'choice', values: ['us', 'eu'], help: 'the BATON_REGION the printed config uses' },
  },
  async start(options) {
    const extra = options.extra ?? {};
    const tenant = generateTenant(tenantSizeFrom(options));
    const sim = await startSegmentSim({
      tenant,
      port: options.port,
      rateLimits: options.rateLimits,
      listPermissions: bool(extra.listPermissions),
      listGroupPermissions: bool(extra.listGroupPermissions),
      recordCalls: (options.users ?? 0) <= 20_000,
    });
    const region: Record<string, string> = extra.region === 'eu' ? { BATON_REGION: 'eu' } : {};
    return {
      server: sim.server,
      config: sim.config(region),
      expected: expectedCounts(tenant),
      fault(request) {
        if (applyGenericFault(sim.server, request)) return;
        if (request.kind === '429') sim.throttle({ times: request.count, msBeforeNext: (request.retryAfterSec ?? 1) * 1000 });
        else if (request.kind === 'revoked')
          sim.envelopeError({ status: 401, type: 'Unauthorized', message: 'Invalid or revoked token', times: request.count });
        else throw new Error(`segment has no ${request.kind} fault: it throttles with HTTP 429 and msBeforeNext only`);
      },
    };
  },
};

export interface GoFormulaParams {
  users: number;
  /** Member count of each group. */
  groupMembers: readonly number[];
  roles: number;
  sources: number;
  /** Functions of each kind (DESTINATION, INSERT_DESTINATION, SOURCE). */
  functionsByKind: readonly number[];
}

const pages = (n: number) => Math.max(1, Math.ceil(n / 200));

/**
 * Calls the Go connector makes for one sync, as its code stands (B1: warehouses and spaces page
 * /sources and find nothing, so they add list calls but no entitlement calls).
 */
export function goFormulaCalls(p: GoFormulaParams): number {
  const functions = p.functionsByKind.reduce((a, b) => a + b, 0);
  const validate = 1;
  const workspace = 1 + pages(p.users);
  const userList = pages(p.users);
  const userGrants = p.users;
  const groupList = pages(p.groupMembers.length);
  const groupGrants = p.groupMembers.reduce((sum, m) => sum + 2 * pages(m), 0);
  const roleList = pages(p.roles);
  const sourceList = pages(p.sources);
  const warehouseAndSpace = 2 * pages(p.sources);
  const functionList = FUNCTION_KINDS.reduce((sum, _, i) => sum + pages(p.functionsByKind[i] ?? 0), 0);
  const entitlements = (p.sources + functions) * pages(p.roles);
  return validate + workspace + userList + userGrants + groupList + groupGrants + roleList + sourceList + warehouseAndSpace + functionList + entitlements;
}

export function goFormulaFor(t: SegmentTenant): number {
  return goFormulaCalls({
    users: t.users.length,
    groupMembers: t.groups.map((g) => g.memberIds.length),
    roles: t.roles.length,
    sources: t.sources.length,
    functionsByKind: FUNCTION_KINDS.map((k) => t.functions.filter((f) => f.kind === k).length),
  });
}
