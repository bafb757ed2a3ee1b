// A Slack org as the simulator serves it: workspaces, users with Slack's flags, "@handle" user
// groups and the SCIM view (users + IDP groups). Generated from a seed, or written by hand in tests.
import { rng } from '../../../shared/sim/kit.ts';
import { BOT_SCOPES, type SimToken } from '../../../shared/slack/sim/tokens.ts';

export { BOT_SCOPES };

export interface SimTeam {
  id: string;
  name: string;
  /** Real Slack's auth.teams.list omits it; kept so tests can check the empty-domain path too. */
  domain?: string;
}

export interface SimUserFlags {
  deleted?: boolean;
  is_admin?: boolean;
  is_owner?: boolean;
  is_primary_owner?: boolean;
  is_restricted?: boolean;
  is_ultra_restricted?: boolean;
  is_bot?: boolean;
  is_app_user?: boolean;
  is_invited_user?: boolean;
  is_stranger?: boolean;
  has_2fa?: boolean;
}

export interface SimUser extends SimUserFlags {
  id: string;
  team_id: string;
  name: string;
  profile: {
    first_name?: string;
    last_name?: string;
    real_name?: string;
    email?: string;
    team?: string;
    status_text?: string;
    status_emoji?: string;
  };
  /**
   * The SCIM view: undefined = not a SCIM user (bots, strangers, Slackbot); else SCIM `active`.
   */
  scimActive?: boolean;
  /** users.info answers user_not_found although SCIM lists the user. */
  hiddenFromBot?: boolean;
  /** Further workspaces whose users.list also returns the user (Enterprise Grid); `team_id` stays its home. */
  alsoIn?: string[];
}

export interface SimUserGroup {
  id: string;
  team_id: string;
  name: string;
  handle: string;
  users: string[];
  /** Disabled groups are left out of usergroups.list unless include_disabled is sent. */
  disabled?: boolean;
}

export interface SimIdpGroup {
  id: string;
  displayName: string;
  members: string[];
}

export interface SlackTenant {
  teams: SimTeam[];
  users: SimUser[];
  userGroups: SimUserGroup[];
  idpGroups: SimIdpGroup[];
  tokens: Record<string, SimToken>;
}

export const SIM_BOT_TOKEN = 'xoxb-sim-bot-token';
export const SIM_USER_TOKEN = 'xoxp-sim-admin-token';

export interface TenantOptions {
  seed?: number;
  users?: number;
  workspaces?: number;
  userGroups?: number;
  /** Total user-group memberships (spread unevenly over the groups). */
  memberships?: number;
  idpGroups?: number;
  /** Number of extra disabled user groups (never synced). */
  disabledGroups?: number;
  /** Users (every tenth, from the 4th) that are also members of the next workspace; needs 2+ workspaces. */
  sharedUsers?: number;
}

const FLAG_NAMES = [
  'is_admin',
  'is_owner',
  'is_primary_owner',
  'is_restricted',
  'is_ultra_restricted',
  'is_bot',
  'deleted',
  'is_invited_user',
  'is_stranger',
] as const;

function pad(prefix: string, n: number): string {
  return `${prefix}${n.toString(36).toUpperCase().padStart(8, '0')}`;
}

function scimView(u: SimUser): boolean | undefined {
  if (u.is_bot || u.is_stranger || u.id === 'USLACKBOT') return undefined;
  return !u.deleted;
}

/**
 * A tenant of `users` users per the options. Large tenants open with all 512 combinations of the
 * nine role-relevant flags, so every rule is exercised; small ones with one user of each kind.
 */
export function generateTenant(options: TenantOptions = {}): SlackTenant {
  const rand = rng(options.seed ?? 1);
  const userCount = options.users ?? 200;
  const workspaceCount = Math.max(1, options.workspaces ?? 1);
  const groupCount = options.userGroups ?? Math.max(3, Math.round(userCount / 40));
  const membershipTarget = options.memberships ?? userCount * 5;
  const idpCount = options.idpGroups ?? Math.max(2, Math.round(userCount / 200));

  const teams: SimTeam[] = [];
  for (let t = 0; t < workspaceCount; t++) teams.push({ id: pad('T', t + 1), name: `Sim Workspace ${t + 1}` });

  const users: SimUser[] = [];
  const kinds: SimUserFlags[] = [];
  if (userCount >= 600) {
    for (let mask = 0; mask < 512; mask++) {
      const f: SimUserFlags = {};
      FLAG_NAMES.forEach((name, bit) => {
        if (mask & (1 << bit)) f[name] = true;
      });
      kinds.push(f);
    }
  } else {
    kinds.push(
      { is_primary_owner: true, is_owner: true, is_admin: true, has_2fa: true },
      { is_owner: true, is_admin: true },
      { is_admin: true },
      { is_restricted: true },
      { is_restricted: true, is_ultra_restricted: true },
      { is_bot: true },
      { deleted: true },
      { is_invited_user: true },
      { is_stranger: true },
      { is_bot: true, deleted: true },
      { is_restricted: true, is_invited_user: true },
      { is_app_user: true },
    );
  }
  for (let i = 0; i < userCount; i++) {
    const team = teams[i % workspaceCount]!;
    let flags: SimUserFlags;
    if (i < kinds.length) flags = kinds[i]!;
    else {
      const r = rand();
      flags = {};
      if (r < 0.02) flags.is_admin = true;
      else if (r < 0.05) flags.is_restricted = true;
      else if (r < 0.06) Object.assign(flags, { is_restricted: true, is_ultra_restricted: true });
      else if (r < 0.08) flags.is_bot = true;
      else if (r < 0.12) flags.deleted = true;
      else if (r < 0.13) flags.is_invited_user = true;
      else if (r < 0.14) flags.is_stranger = true;
      if (rand() < 0.3) flags.has_2fa = true;
    }
    const n = i + 1;
    const id = i === userCount - 1 && userCount > 20 ? 'USLACKBOT' : pad(flags.is_stranger ? 'W' : 'U', n);
    const first = `First${n}`;
    const last = `Last${n}`;
    const user: SimUser = {
      id,
      team_id: team.id,
      // Some legacy accounts have no username at all.
      name: n % 97 === 0 ? '' : `user${n}`,
      ...flags,
      profile: {
        first_name: first,
        last_name: last,
        real_name: `${first} ${last}`,
        email: flags.is_bot ? '' : `user${n}@example.test`,
        team: team.id,
        status_text: n % 5 === 0 ? 'In a meeting' : '',
        status_emoji: n % 5 === 0 ? ':calendar:' : '',
      },
    };
    user.scimActive = scimView(user);
    users.push(user);
  }
  if (workspaceCount > 1) {
    let left = options.sharedUsers ?? 0;
    for (let i = 3; i < users.length && left > 0; i += 10, left--) {
      const u = users[i]!;
      u.alsoIn = [teams[(teams.findIndex((t) => t.id === u.team_id) + 1) % workspaceCount]!.id];
    }
  }

  const userGroups: SimUserGroup[] = [];
  const byTeam = new Map<string, string[]>();
  for (const u of users) if (!u.is_stranger) (byTeam.get(u.team_id) ?? byTeam.set(u.team_id, []).get(u.team_id)!).push(u.id);
  // Uneven sizes (a few large groups, many small ones) whose sum is the membership target.
  const weights: number[] = [];
  for (let g = 0; g < groupCount; g++) weights.push(1 / (1 + Math.floor(rand() * 20)) + (g === 0 ? 1 : 0));
  const weightSum = weights.reduce((a, b) => a + b, 0);
  for (let g = 0; g < groupCount; g++) {
    const team = teams[g % workspaceCount]!;
    const pool = byTeam.get(team.id) ?? [];
    const size = Math.min(pool.length, Math.max(0, Math.round((membershipTarget * weights[g]!) / weightSum)));
    userGroups.push({
      id: pad('S', g + 1),
      team_id: team.id,
      name: `Group ${g + 1}`,
      handle: `group-${g + 1}`,
      users: pickDistinct(pool, size, rand),
    });
  }
  for (let d = 0; d < (options.disabledGroups ?? 1); d++) {
    const team = teams[d % workspaceCount]!;
    userGroups.push({
      id: pad('S', groupCount + d + 1),
      team_id: team.id,
      name: `Disabled ${d + 1}`,
      handle: `disabled-${d + 1}`,
      users: pickDistinct(byTeam.get(team.id) ?? [], 3, rand),
      disabled: true,
    });
  }

  const scimIds = users.filter((u) => u.scimActive !== undefined).map((u) => u.id);
  const idpGroups: SimIdpGroup[] = [];
  for (let g = 0; g < idpCount; g++) {
    idpGroups.push({
      id: pad('S0IDP', g + 1),
      displayName: `IDP Group ${g + 1}`,
      members: pickDistinct(scimIds, Math.min(scimIds.length, 1 + Math.floor(rand() * 40)), rand),
    });
  }

  const botUser = users.find((u) => u.is_bot && !u.deleted)?.id ?? 'UBOTSIM';
  return {
    teams,
    users,
    userGroups,
    idpGroups,
    tokens: {
      [SIM_BOT_TOKEN]: { kind: 'bot', userId: botUser, botId: 'BSIM00001', scopes: [...BOT_SCOPES] },
      [SIM_USER_TOKEN]: { kind: 'user', userId: users[0]?.id ?? 'UADMIN', scopes: ['admin'] },
    },
  };
}

function pickDistinct(pool: string[], size: number, rand: () => number): string[] {
  if (size >= pool.length) return [...pool];
  // Partial Fisher-Yates over a copy of the indices keeps the pick exact and deterministic.
  const idx = Array.from(pool.keys());
  const out: string[] = [];
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(rand() * (idx.length - i));
    [idx[i], idx[j]] = [idx[j]!, idx[i]!];
    out.push(pool[idx[i]!]!);
  }
  return out;
}

export type SlackMode = 'pro' | 'business';

export interface ExpectedCounts {
  resourceTypes: number;
  resources: number;
  entitlements: number;
  grants: number;
}

const ROLE_COUNT = 8;

/** Role grants (README.md, Workspace roles) for one users.list member (strangers get none). */
export function roleGrantCount(u: SimUserFlags): number {
  let n = 0;
  if (u.is_primary_owner) n++;
  if (u.is_owner) n++;
  if (u.is_admin) n++;
  if (u.is_restricted) n++;
  if (u.is_invited_user) n++;
  if (!u.is_restricted && !u.is_ultra_restricted && !u.is_invited_user && !u.is_bot && !u.deleted) n++;
  if (u.is_bot) n++;
  return n;
}

/** Workspaces whose users.list returns the user. */
export function workspacesOf(u: SimUser): string[] {
  return [u.team_id, ...(u.alsoIn ?? [])];
}

/** What a full sync of this tenant must write, independent of the connector's code. */
export function expectedCounts(tenant: SlackTenant, mode: SlackMode): ExpectedCounts {
  const teamIds = new Set(tenant.teams.map((t) => t.id));
  const enabledGroups = tenant.userGroups.filter((g) => !g.disabled && teamIds.has(g.team_id));
  const listed = (u: SimUser) => workspacesOf(u).some((t) => teamIds.has(t));
  // Each user is one row however many workspaces list it. Business+: every SCIM user, found by
  // users.info when no workspace lists it (unless the bot cannot see it).
  const users = tenant.users.filter((u) => (mode === 'pro' ? listed(u) : u.scimActive !== undefined && (listed(u) || !u.hiddenFromBot)));
  let resources = tenant.teams.length * (1 + ROLE_COUNT) + enabledGroups.length + users.length;
  let entitlements = tenant.teams.length * (1 + ROLE_COUNT) + enabledGroups.length;
  let grants = 0;
  for (const team of tenant.teams) {
    const members = tenant.users.filter((u) => workspacesOf(u).includes(team.id));
    for (const u of members) if (!u.is_stranger) grants += 1 + roleGrantCount(u);
  }
  for (const g of enabledGroups) grants += g.users.length;
  if (mode === 'business') {
    resources += tenant.idpGroups.length;
    entitlements += tenant.idpGroups.length;
    for (const g of tenant.idpGroups) grants += g.members.length;
  }
  return { resourceTypes: 5, resources, entitlements, grants };
}
