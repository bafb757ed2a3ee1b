// The Enterprise Grid simulator behind `baton-serverless sim slack-enterprise` / `demo`, tests and
// the benchmark, plus the call formulas (ours and the Go connector's) the README writes down.
import type { AppSimulator, RunningSim, SimStartOptions } from '../../../shared/sim/kit.ts';
import { GRID_METHODS, SCIM_LIMITS } from '../../../shared/slack/sim/limits.ts';
import { extraNumber, type RunningSlackSimOf, type SlackSimStartOptions, startSlackServer } from '../../../shared/slack/sim/start.ts';
import { createGridRoute, type GridSimControls } from './server.ts';
import { expectedGridCounts, GRID_BOT_TOKEN, GRID_USER_TOKEN, type GridTenant, generateGridTenant } from './tenant.ts';

export type { GridSimControls } from './server.ts';
export type { GridIdpGroup, GridRoleAssignment, GridTeam, GridTenant, GridUser, GridUserGroup, OrgRole, TeamRole } from './tenant.ts';
export { expectedGridCounts, GRID_BOT_SCOPES, GRID_BOT_TOKEN, GRID_USER_SCOPES, GRID_USER_TOKEN, generateGridTenant, memberRoles } from './tenant.ts';

export interface GridSimOptions extends SlackSimStartOptions {
  tenant: GridTenant;
  sso?: boolean;
}

export type RunningGridSim = RunningSlackSimOf<GridTenant, GridSimControls>;

export async function startGridSim(options: GridSimOptions): Promise<RunningGridSim> {
  const { server, controls } = await startSlackServer('slack-enterprise', options, (limiter) => createGridRoute(options.tenant, limiter));
  const config: Record<string, string> = {
    BATON_TOKEN: GRID_BOT_TOKEN,
    BATON_ENTERPRISE_TOKEN: GRID_USER_TOKEN,
    BATON_BASE_URL: `${server.url}/api/`,
    BATON_SCIM_BASE_URL: `${server.url}/scim/${options.gov ? 'v1' : 'v2'}/`,
  };
  if (options.sso) config.BATON_SSO_ENABLED = 'true';
  if (options.gov) config.BATON_GOV_ENV = 'true';
  return { server, config, tenant: options.tenant, controls, expected: expectedGridCounts(options.tenant, options.sso ?? false) };
}

const yes = (v: unknown) => v === true || v === 'true';

export const simulator: AppSimulator = {
  name: 'slack-enterprise',
  settings: {
    workspaces: { kind: 'number', min: 1, help: 'workspaces in the org (default 5)' },
    groups: { kind: 'number', min: 0, help: 'user groups per workspace' },
    idpGroups: { kind: 'number', min: 0, help: 'IDP (SCIM) groups' },
    sso: { kind: 'boolean', help: 'BATON_SSO_ENABLED: users from SCIM, IDP groups synced' },
    gov: { kind: 'boolean', help: 'serve as GovSlack (SCIM v1)' },
    grid: { kind: 'boolean', help: 'false: a standalone workspace (auth.test without enterprise_id)' },
  },
  async start(options: SimStartOptions): Promise<RunningSim> {
    const extra = options.extra ?? {};
    const users = options.users ?? 500;
    const tenant = generateGridTenant({
      seed: options.seed ?? 1,
      users,
      workspaces: extraNumber(extra.workspaces),
      groupsPerWorkspace: extraNumber(extra.groups),
      idpGroups: extraNumber(extra.idpGroups),
      enterprise: extra.grid === undefined ? true : yes(extra.grid),
    });
    return startGridSim({
      tenant,
      port: options.port,
      sso: yes(extra.sso),
      gov: yes(extra.gov),
      rateLimits: options.rateLimits ?? 'real',
      recordCalls: users <= 5000,
    });
  },
};

/** The sizes the call formulas take, read off a tenant. */
export interface GridShape {
  /** Org users admin.users.list returns: active and deactivated (N = both). */
  activeUsers: number;
  deactivatedUsers: number;
  /** Members per workspace as users.list returns them (n_w, strangers included). */
  membersPerWorkspace: number[];
  /** Enabled user groups (G). */
  userGroups: number;
  /** Role assignments in all (A) and per system role (A_r). */
  assignments: number;
  assignmentsPerRole: number[];
  orgOwners: number;
  orgAdmins: number;
  scimUsers: number;
  idpGroups: number;
}

export function gridShape(t: GridTenant): GridShape {
  const perRole = new Map<string, number>();
  for (const a of t.roleAssignments) perRole.set(a.role_id, (perRole.get(a.role_id) ?? 0) + 1);
  return {
    activeUsers: t.users.filter((u) => !u.deactivated).length,
    deactivatedUsers: t.users.filter((u) => u.deactivated).length,
    membersPerWorkspace: t.teams.map((team) => t.users.filter((u) => u.teams.has(team.id)).length + t.strangers.filter((s) => s.team === team.id).length),
    userGroups: t.userGroups.filter((g) => !g.disabled).length,
    assignments: t.roleAssignments.length,
    assignmentsPerRole: [...perRole.values()],
    orgOwners: t.users.filter((u) => !u.deactivated && (u.org === 'owner' || u.org === 'primary_owner')).length,
    orgAdmins: t.users.filter((u) => !u.deactivated && u.org === 'admin').length,
    scimUsers: t.users.filter((u) => !u.is_bot).length,
    idpGroups: t.idpGroups.length,
  };
}

const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));

/**
 * Calls the Go connector makes (README.md, Calls): validate 2; auth.teams.list ⌈W/100⌉; users, per
 * workspace, ⌈N/100⌉ admin.users.list pages each followed by the workspace's whole users.list
 * (⌈n_w/1000⌉, counted at 1000 per page although it sends no limit); workspace grants Σ⌈n_w/1000⌉;
 * W usergroups.list + G usergroups.users.list; ⌈A/200⌉ + Σ_r ⌈A_r/200⌉ role assignments; with SSO
 * ⌈I/100⌉ + I SCIM group reads.
 */
export function goFormulaCalls(s: GridShape, sso: boolean): number {
  const n = s.activeUsers + s.deactivatedUsers;
  let calls = 2 + pages(s.membersPerWorkspace.length, 100);
  for (const m of s.membersPerWorkspace) calls += pages(n, 100) * (1 + pages(m, 1000)) + pages(m, 1000);
  calls += s.membersPerWorkspace.length + s.userGroups;
  calls += pages(s.assignments, 200) + s.assignmentsPerRole.reduce((c, a) => c + pages(a, 200), 0);
  if (sso) calls += pages(s.idpGroups, 100) + s.idpGroups;
  return calls;
}

/**
 * Calls this connector makes: validate 2; auth.teams.list ⌈W/1000⌉; users once, ⌈N_active/1000⌉ +
 * ⌈N_deactivated/1000⌉ (with SSO ⌈S/1000⌉ SCIM pages); workspace grants Σ⌈n_w/1000⌉; W
 * usergroups.list (members embedded); ⌈A/200⌉ role assignments (system-role grants from the same
 * scan); org roles 2⌈owners/1000⌉ + ⌈admins/1000⌉; with SSO ⌈I/100⌉ SCIM group pages.
 */
export function ourFormulaCalls(s: GridShape, sso: boolean): number {
  let calls = 2 + pages(s.membersPerWorkspace.length, 1000);
  calls += sso ? pages(s.scimUsers, 1000) : pages(s.activeUsers, 1000) + pages(s.deactivatedUsers, 1000);
  for (const m of s.membersPerWorkspace) calls += pages(m, 1000);
  calls += s.membersPerWorkspace.length;
  calls += pages(s.assignments, 200) + 2 * pages(s.orgOwners, 1000) + pages(s.orgAdmins, 1000);
  if (sso) calls += pages(s.idpGroups, 100);
  return calls;
}

const SCIM_BUCKETS: Record<string, { perMinute: number; burst: number }> = {
  'scim:read': SCIM_LIMITS.read,
  'scim:write': SCIM_LIMITS.write,
  'scim:read-by-id': SCIM_LIMITS.readById,
  'scim:patch-group': SCIM_LIMITS.patchGroup,
  'scim:write-user': SCIM_LIMITS.writeUser,
};

/**
 * Seconds the simulator's buckets require at least for the calls they served, at `scale`: per
 * bucket, the calls beyond its burst at its rate; the slowest bucket binds.
 */
export function limitsFloorSeconds(served: ReadonlyMap<string, number>, scale: number): { seconds: number; binding: string } {
  let best = { seconds: 0, binding: 'none' };
  for (const [key, n] of served) {
    const limit = key.startsWith('web:') ? GRID_METHODS[key.slice(4).split(':')[0]!]?.limit : SCIM_BUCKETS[key];
    if (!limit) continue;
    const seconds = Math.max(0, n - limit.burst) / ((limit.perMinute * scale) / 60);
    if (seconds > best.seconds) best = { seconds, binding: `${key} ×${n}` };
  }
  return best;
}
