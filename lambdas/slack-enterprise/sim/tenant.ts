// An Enterprise Grid org as the simulator serves it: workspaces, users in several workspaces or in
// none (with a role in each), org roles, system-role assignments, user groups per workspace, the
// SCIM view (users + IDP groups) and Slack Connect strangers. Generated from a seed, or by hand.
import { rng } from '../../../shared/sim/kit.ts';
import { BOT_SCOPES, type SimToken } from '../../../shared/slack/sim/tokens.ts';

export { BOT_SCOPES as GRID_BOT_SCOPES };

export type TeamRole = 'primary_owner' | 'owner' | 'admin' | 'regular';
export type OrgRole = 'primary_owner' | 'owner' | 'admin';

export interface GridTeam {
  id: string;
  name: string;
  domain: string;
}

export interface GridUser {
  id: string;
  username: string;
  fullName: string;
  email: string;
  /** Deactivated in the org: admin.users.list only with is_active=false; users.list `deleted`. */
  deactivated?: boolean;
  is_bot?: boolean;
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
  is_invited_user?: boolean;
  has_2fa?: boolean;
  org?: OrgRole;
  /** Workspace id → the user's role there. */
  teams: Map<string, TeamRole>;
}

/** A Slack Connect user from another org: in a workspace's users.list with is_stranger, nowhere else. */
export interface GridStranger {
  id: string;
  team: string;
}

export interface GridUserGroup {
  id: string;
  team_id: string;
  name: string;
  handle: string;
  users: string[];
  disabled?: boolean;
}

export interface GridIdpGroup {
  id: string;
  displayName: string;
  members: string[];
}

export interface GridRoleAssignment {
  role_id: string;
  entity_id: string;
  user_id: string;
}

export interface GridTenant {
  /** Empty: a standalone (non-Grid) workspace, whose auth.test has no enterprise_id. */
  enterpriseId: string;
  teams: GridTeam[];
  users: GridUser[];
  strangers: GridStranger[];
  userGroups: GridUserGroup[];
  idpGroups: GridIdpGroup[];
  roleAssignments: GridRoleAssignment[];
  tokens: Record<string, SimToken>;
  /** auth.test's enterprise_id for a token that is not the org's (another org's, or '' for a standalone workspace's). */
  tokenEnterprise?: Record<string, string>;
}

export const GRID_USER_SCOPES = [
  'admin',
  'admin.roles:read',
  'admin.roles:write',
  'admin.teams:read',
  'admin.usergroups:read',
  'admin.usergroups:write',
  'admin.users:read',
  'admin.users:write',
  'usergroups:write',
];

export const GRID_BOT_TOKEN = 'xoxb-sim-grid-bot';
export const GRID_USER_TOKEN = 'xoxp-sim-grid-org-owner';

/** The system roles the generator assigns (a subset of Grid's sixteen). */
const SYSTEM_ROLE_IDS = ['Rl0L', 'Rl0C', 'Rl01', 'Rl03', 'Rl0J', 'Rl0K'];

export interface GridTenantOptions {
  seed?: number;
  users?: number;
  workspaces?: number;
  /** User groups per workspace (default max(2, users / workspaces / 50)). */
  groupsPerWorkspace?: number;
  idpGroups?: number;
  /** Strangers per workspace. */
  strangers?: number;
  enterprise?: boolean;
}

const pad = (prefix: string, n: number, width = 8) => `${prefix}${n.toString(36).toUpperCase().padStart(width, '0')}`;

export function generateGridTenant(options: GridTenantOptions = {}): GridTenant {
  const rand = rng(options.seed ?? 1);
  const userCount = Math.max(1, options.users ?? 500);
  const teamCount = Math.max(1, options.workspaces ?? 5);
  const teams: GridTeam[] = [];
  for (let t = 0; t < teamCount; t++) teams.push({ id: pad('T', t + 1), name: `Grid Workspace ${t + 1}`, domain: `grid-ws-${t + 1}` });

  const users: GridUser[] = [];
  const pick = () => teams[Math.floor(rand() * teamCount)]!.id;
  for (let i = 0; i < userCount; i++) {
    const id = pad('W', i + 1);
    const r = rand();
    const u: GridUser = { id, username: `user${i + 1}`, fullName: `Grid User ${i + 1}`, email: `user${i + 1}@grid.test`, teams: new Map() };
    // 10 % in no workspace, 50 % in one, 30 % in two, 10 % in three (or all, for small orgs).
    const n = r < 0.1 ? 0 : r < 0.6 ? 1 : r < 0.9 ? 2 : 3;
    for (let k = 0; k < Math.min(n, teamCount); k++) {
      let team = pick();
      while (u.teams.has(team)) team = teams[(teams.findIndex((t) => t.id === team) + 1) % teamCount]!.id;
      const q = rand();
      u.teams.set(team, q < 0.01 ? 'owner' : q < 0.04 ? 'admin' : 'regular');
    }
    const f = rand();
    if (f < 0.02) u.is_restricted = true;
    else if (f < 0.03) Object.assign(u, { is_restricted: true, is_ultra_restricted: true });
    else if (f < 0.04) u.is_invited_user = true;
    else if (f < 0.05) u.is_bot = true;
    if (rand() < 0.03) u.deactivated = true;
    if (rand() < 0.5) u.has_2fa = true;
    users.push(u);
  }
  // The first user is the org's primary owner and every workspace's; a few org owners and admins.
  const first = users[0]!;
  Object.assign(first, { org: 'primary_owner', deactivated: false, is_bot: false, is_restricted: false, is_ultra_restricted: false, is_invited_user: false });
  for (const t of teams) first.teams.set(t.id, 'primary_owner');
  for (let i = 1; i < users.length; i += 97) {
    const u = users[i]!;
    if (!u.deactivated && !u.is_bot) u.org = i % 3 === 1 ? 'owner' : 'admin';
  }

  const strangers: GridStranger[] = [];
  const perTeam = options.strangers ?? 2;
  for (const t of teams) for (let s = 0; s < perTeam; s++) strangers.push({ id: pad('U', strangers.length + 1, 9), team: t.id });

  const membersOf = new Map<string, string[]>();
  for (const u of users) if (!u.deactivated) for (const team of u.teams.keys()) (membersOf.get(team) ?? membersOf.set(team, []).get(team)!).push(u.id);
  const userGroups: GridUserGroup[] = [];
  const groupsPer = options.groupsPerWorkspace ?? Math.max(2, Math.round(userCount / teamCount / 50));
  for (const t of teams) {
    const pool = membersOf.get(t.id) ?? [];
    for (let g = 0; g < groupsPer; g++) {
      const size = Math.min(pool.length, 1 + Math.floor(rand() * 40));
      const start = Math.floor(rand() * Math.max(1, pool.length - size));
      const n = userGroups.length + 1;
      userGroups.push({
        id: pad('S', n),
        team_id: t.id,
        name: `Group ${n}`,
        handle: `group-${n}`,
        users: pool.slice(start, start + size),
        disabled: g === groupsPer - 1 && g > 0,
      });
    }
  }

  const scimIds = users.filter((u) => !u.is_bot).map((u) => u.id);
  const idpGroups: GridIdpGroup[] = [];
  const idpCount = options.idpGroups ?? Math.max(2, Math.round(userCount / 500));
  for (let g = 0; g < idpCount; g++) {
    const size = Math.min(scimIds.length, 1 + Math.floor(rand() * 60));
    const start = Math.floor(rand() * Math.max(1, scimIds.length - size));
    idpGroups.push({ id: pad('G', g + 1), displayName: `IDP Group ${g + 1}`, members: scimIds.slice(start, start + size) });
  }

  const enterpriseId = options.enterprise === false ? '' : 'E00000001';
  const roleAssignments: GridRoleAssignment[] = [];
  for (let i = 2; i < users.length; i += 53) {
    const u = users[i]!;
    if (u.deactivated || u.is_bot) continue;
    const role = SYSTEM_ROLE_IDS[i % SYSTEM_ROLE_IDS.length]!;
    roleAssignments.push({ role_id: role, entity_id: enterpriseId || teams[0]!.id, user_id: u.id });
    // Some hold the same role on a workspace too: one grant, two assignments.
    if (i % 5 === 0) roleAssignments.push({ role_id: role, entity_id: teams[i % teamCount]!.id, user_id: u.id });
  }

  return {
    enterpriseId,
    teams,
    users,
    strangers,
    userGroups,
    idpGroups,
    roleAssignments,
    tokens: {
      [GRID_BOT_TOKEN]: { kind: 'bot', userId: 'UBOT00001', botId: 'B00000001', scopes: [...BOT_SCOPES] },
      [GRID_USER_TOKEN]: { kind: 'user', userId: first.id, scopes: [...GRID_USER_SCOPES] },
    },
  };
}

/** The roles the Go connector's flag rules give a member of one workspace. */
export function memberRoles(u: GridUser, role: TeamRole): string[] {
  const out: string[] = [];
  if (role === 'primary_owner') out.push('primary_owner');
  if (role === 'primary_owner' || role === 'owner') out.push('owner');
  if (role !== 'regular') out.push('admin');
  if (u.is_restricted) out.push(u.is_ultra_restricted ? 'single_channel_guest' : 'multi_channel_guest');
  if (u.is_invited_user) out.push('invited_member');
  if (!u.is_restricted && !u.is_ultra_restricted && !u.is_invited_user && !u.is_bot && !u.deactivated) out.push('member');
  if (u.is_bot) out.push('bot');
  return out;
}

/** What a sync of this org should write, derived from the tenant (not from the connector). */
export function expectedGridCounts(t: GridTenant, sso: boolean): { resourceTypes: number; resources: number; entitlements: number; grants: number } {
  const users = sso ? t.users.filter((u) => !u.is_bot).length : t.users.length;
  const systemRoles = new Set(t.roleAssignments.map((a) => a.role_id));
  const roleHolders = new Set(t.roleAssignments.map((a) => `${a.role_id}\n${a.user_id}`)).size;
  const groups = t.userGroups.filter((g) => !g.disabled);
  const idp = sso ? t.idpGroups : [];
  const active = t.users.filter((u) => !u.deactivated);
  const orgGrants =
    active.filter((u) => u.org === 'primary_owner').length +
    active.filter((u) => u.org === 'primary_owner' || u.org === 'owner').length +
    active.filter((u) => u.org === 'admin').length;
  let workspaceGrants = 0;
  for (const u of t.users) for (const role of u.teams.values()) workspaceGrants += 1 + memberRoles(u, role).length;
  const enterpriseRoles = 3 + systemRoles.size;
  const perTeam = 1 + 8;
  return {
    resourceTypes: 6,
    resources: users + t.teams.length * perTeam + enterpriseRoles + groups.length + idp.length,
    entitlements: t.teams.length * perTeam + enterpriseRoles + groups.length + idp.length,
    grants: workspaceGrants + roleHolders + orgGrants + groups.reduce((n, g) => n + g.users.length, 0) + idp.reduce((n, g) => n + g.members.length, 0),
  };
}
