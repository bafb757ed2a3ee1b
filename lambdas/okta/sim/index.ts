// The Okta simulator behind `baton-serverless sim okta` / `demo`, tests and the benchmark, plus the
// call formulas (baton-okta's and ours) the benchmark and tests compare with.
import { type AppSimulator, type RunningSim, type SimStartOptions, startSim } from '../../../shared/sim/kit.ts';
import { createOktaRoute, type OktaSimControls } from './server.ts';
import { generateTenant, type OktaTenant, SIM_API_TOKEN } from './tenant.ts';

export { simBucketOf, WORKFORCE_LIMITS } from './limits.ts';
export type { OktaSimControls } from './server.ts';
export type { OktaTenant, SimApp, SimGroup, SimRole, SimUser } from './tenant.ts';
export { generateTenant, oktaId, SIM_API_TOKEN, SIM_CLIENT_ID, SIM_DOMAIN, SIM_KEY_ID } from './tenant.ts';

export interface OktaFlags {
  syncCustomRoles?: boolean;
  syncSecrets?: boolean;
  syncInactiveApps?: boolean;
  skipAppGroups?: boolean;
}

export interface OktaSimOptions {
  tenant: OktaTenant;
  port?: number;
  /** 'ssws' (default) or 'oauth' (client credentials with private_key_jwt). */
  auth?: 'ssws' | 'oauth';
  flags?: OktaFlags;
  /** 'real' (default), 'off', or a time scale (windows N× shorter). */
  rateLimits?: 'real' | 'off' | number;
  recordCalls?: boolean;
}

export interface RunningOktaSim extends RunningSim {
  tenant: OktaTenant;
  controls: OktaSimControls;
  expected: NonNullable<RunningSim['expected']>;
}

export async function startOktaSim(options: OktaSimOptions): Promise<RunningOktaSim> {
  let url = '';
  const { route, controls } = createOktaRoute(options.tenant, () => url, options.recordCalls ?? true);
  const server = await startSim(route, { name: 'okta', port: options.port, recordCalls: options.recordCalls });
  url = server.url;
  const limits = options.rateLimits ?? 'real';
  if (limits === 'off') controls.limiter.enabled = false;
  else if (typeof limits === 'number') controls.limiter.timeScale = limits;
  const flags = options.flags ?? {};
  const config: Record<string, string> = { BATON_DOMAIN: options.tenant.domain, BATON_BASE_URL: server.url };
  const client = options.tenant.clients[0];
  if (options.auth === 'oauth' && client) {
    Object.assign(config, { BATON_OKTA_CLIENT_ID: client.clientId, BATON_OKTA_PRIVATE_KEY: client.privateKeyPem, BATON_OKTA_PRIVATE_KEY_ID: client.keyId });
  } else {
    config.BATON_API_TOKEN = SIM_API_TOKEN;
  }
  if (flags.syncCustomRoles) config.BATON_SYNC_CUSTOM_ROLES = 'true';
  if (flags.syncSecrets) config.BATON_SYNC_SECRETS = 'true';
  if (flags.syncInactiveApps === false) config.BATON_SYNC_INACTIVE_APPS = 'false';
  if (flags.skipAppGroups) config.BATON_SKIP_APP_GROUPS = 'true';
  return { server, config, tenant: options.tenant, controls, expected: expectedCounts(options.tenant, flags) };
}

const STANDARD_TYPES = new Set([
  'API_ACCESS_MANAGEMENT_ADMIN',
  'MOBILE_ADMIN',
  'ORG_ADMIN',
  'READ_ONLY_ADMIN',
  'REPORT_ADMIN',
  'SUPER_ADMIN',
  'USER_ADMIN',
  'HELP_DESK_ADMIN',
  'APP_ADMIN',
  'GROUP_MEMBERSHIP_ADMIN',
  'ACCESS_CERTIFICATIONS_ADMIN',
  'ACCESS_REQUESTS_ADMIN',
  'WORKFLOWS_ADMIN',
]);

/** Rows a sync of this tenant must produce with these flags (no email-domain filter). */
export function expectedCounts(t: OktaTenant, flags: OktaFlags = {}) {
  const custom = flags.syncCustomRoles === true;
  const groups = t.groups.filter((g) => !(flags.skipAppGroups && g.type === 'APP_GROUP'));
  const apps = t.apps.filter((a) => flags.syncInactiveApps !== false || a.status === 'ACTIVE');
  const bindings = t.resourceSets.reduce((n, rs) => n + rs.bindings.length, 0);
  const counts = (roles: { type: string; status: string; assignmentType: string; role?: string }[], kind: 'USER' | 'GROUP') =>
    roles.filter((r) => r.status !== 'INACTIVE' && r.assignmentType === kind && (r.type === 'CUSTOM' ? custom && !!r.role : STANDARD_TYPES.has(r.type))).length;
  let grants = 0;
  for (const g of groups) grants += g.members.length + counts(g.roles, 'GROUP');
  for (const roles of t.adminRoles.values()) grants += counts(roles, 'USER');
  for (const a of apps) grants += a.users.length + a.groups.length;
  if (custom) {
    grants += bindings;
    for (const rs of t.resourceSets) for (const b of rs.bindings) grants += b.members.filter((m) => /\/(users|groups)\/[^/]+$/.test(m.href)).length;
  }
  const customResources = custom ? t.customRoles.length + t.resourceSets.length + bindings : 0;
  return {
    resourceTypes: 4 + (custom ? 3 : 0) + (flags.syncSecrets ? 1 : 0),
    resources: t.users.length + groups.length + STANDARD_TYPES.size + apps.length + customResources + (flags.syncSecrets ? t.apiTokens.length : 0),
    entitlements: groups.length + STANDARD_TYPES.size + apps.length + customResources,
    grants,
  };
}

const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));

/** The sizes both call formulas need. */
export interface OrgShape {
  /** Users `search=status pr` lists (every status). */
  users: number;
  /** Member counts of every group. */
  groupSizes: number[];
  /** Users /iam/assignees/users lists. */
  admins: number;
  apps: { users: number; groups: number }[];
  customRoles?: number;
}

export function orgShape(t: OktaTenant): OrgShape {
  return {
    users: t.users.length,
    groupSizes: t.groups.map((g) => g.members.length),
    admins: [...t.adminRoles.values()].filter((r) => r.length > 0).length,
    apps: t.apps.map((a) => ({ users: a.users.length, groups: a.groups.length })),
  };
}

/**
 * baton-okta's calls for one sync with default flags (README.md, Calls): `/org` twice (Validate
 * and Metadata); users at its 1000 clamped to Okta's 200; groups at 1000 with stats; apps at
 * 1000 clamped to 200; members of every non-empty group at 1000; the roles of every group; the
 * assignees once per standard role (10) at 100 a page; each admin's roles once; each app's groups
 * (200 a page) and users (500 a page).
 */
export function goFormulaCalls(s: OrgShape): number {
  const roles = 10 + (s.customRoles ?? 0);
  let calls = 2 + pages(s.users, 200) + pages(s.groupSizes.length, 1000) + pages(s.apps.length, 200);
  for (const m of s.groupSizes) if (m > 0) calls += pages(m, 1000);
  calls += s.groupSizes.length;
  calls += roles * pages(s.admins, 100) + s.admins;
  for (const a of s.apps) calls += pages(a.groups, 200) + pages(a.users, 500);
  return calls;
}

/** Ours: one probe, groups at 10,000 a page, the assignees paged once; the rest as baton-okta. */
export function ourFormulaCalls(s: OrgShape): number {
  let calls = 1 + pages(s.users, 200) + pages(s.groupSizes.length, 10_000) + pages(s.apps.length, 200);
  for (const m of s.groupSizes) if (m > 0) calls += pages(m, 1000);
  calls += s.groupSizes.length;
  calls += pages(s.admins, 100) + s.admins;
  for (const a of s.apps) calls += pages(a.groups, 200) + pages(a.users, 500);
  return calls;
}

function num(v: string | number | boolean | undefined): number | undefined {
  if (v === undefined || v === '' || typeof v === 'boolean') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

const bool = (v: string | number | boolean | undefined) => v === true || v === 'true';

export const simulator: AppSimulator = {
  name: 'okta',
  settings: {
    groups: { kind: 'number', min: 0, help: 'groups besides Everyone (default users/10)' },
    apps: { kind: 'number', min: 0, help: 'apps (default users/250, at least 3)' },
    admins: { kind: 'number', min: 0, help: 'users with direct admin roles (default users/500, at least 3)' },
    auth: { kind: 'choice', values: ['ssws', 'oauth'], help: 'SSWS API token (default) or OAuth 2.0 private_key_jwt' },
    customRoles: { kind: 'boolean', help: 'config syncs custom roles, resource sets and bindings' },
    secrets: { kind: 'boolean', help: 'config syncs API tokens' },
  },
  async start(options: SimStartOptions): Promise<RunningSim> {
    const extra = options.extra ?? {};
    const users = options.users ?? 200;
    const tenant = generateTenant({ seed: options.seed ?? 1, users, groups: num(extra.groups), apps: num(extra.apps), admins: num(extra.admins) });
    return startOktaSim({
      tenant,
      port: options.port,
      auth: extra.auth === 'oauth' ? 'oauth' : 'ssws',
      flags: { syncCustomRoles: bool(extra.customRoles), syncSecrets: bool(extra.secrets) },
      rateLimits: options.rateLimits ?? 'real',
      recordCalls: users <= 5000,
    });
  },
};
