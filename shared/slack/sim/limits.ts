// Slack's published limits as the simulator enforces them: Web API tiers per method (per workspace
// and app) and the org-wide SCIM buckets. Bursts are a minute's worth: Slack's docs say tiers
// "allow occasional bursts", and a bucket that refilled only smoothly would be stricter than Slack.
export interface SimLimit {
  perMinute: number;
  burst: number;
}

export const TIER_2: SimLimit = { perMinute: 20, burst: 20 };
export const TIER_3: SimLimit = { perMinute: 50, burst: 50 };
export const TIER_4: SimLimit = { perMinute: 100, burst: 100 };
/** auth.test is "special": far above Tier 4. */
export const SPECIAL: SimLimit = { perMinute: 600, burst: 600 };

export interface WebMethodSpec {
  limit: SimLimit;
  /** Any of these scopes lets the call through. */
  scopes: string[];
}

export const WEB_METHODS: Record<string, WebMethodSpec> = {
  'auth.test': { limit: SPECIAL, scopes: [] },
  'auth.teams.list': { limit: TIER_2, scopes: [] },
  'users.list': { limit: TIER_2, scopes: ['users:read'] },
  'users.info': { limit: TIER_4, scopes: ['users:read'] },
  'usergroups.list': { limit: TIER_2, scopes: ['usergroups:read'] },
  'usergroups.users.list': { limit: TIER_2, scopes: ['usergroups:read'] },
  'team.info': { limit: TIER_3, scopes: ['team:read'] },
};

/** SCIM: org-wide read/write buckets plus tighter per-endpoint ones. */
export const SCIM_LIMITS = {
  read: { perMinute: 1000, burst: 1000 },
  readById: { perMinute: 300, burst: 300 },
  write: { perMinute: 600, burst: 180 },
  patchGroup: { perMinute: 180, burst: 80 },
  writeUser: { perMinute: 180, burst: 20 },
} satisfies Record<string, SimLimit>;

/**
 * Enterprise Grid methods. Tiers from Slack's method pages where they state one (auth.teams.list,
 * admin.teams.* Tier 2/3, admin.users.list Tier 4, admin.users.setAdmin Tier 2); the other admin
 * writes and admin.roles.* are taken as Tier 2, the strictest tier a list or write method has.
 * `perTeam`: the bucket is per workspace (methods called with a team_id on a bot token); the
 * admin methods' buckets are org-wide.
 */
export interface GridMethodSpec extends WebMethodSpec {
  perTeam?: boolean;
  /** Which token may call it: the bot token, the org-level user token, or either. */
  token: 'bot' | 'user' | 'any';
}

export const GRID_METHODS: Record<string, GridMethodSpec> = {
  'auth.test': { limit: SPECIAL, scopes: [], token: 'any' },
  'auth.teams.list': { limit: TIER_2, scopes: [], token: 'any' },
  'users.info': { limit: TIER_4, scopes: ['users:read'], token: 'any' },
  'users.list': { limit: TIER_2, scopes: ['users:read'], token: 'bot', perTeam: true },
  'usergroups.list': { limit: TIER_2, scopes: ['usergroups:read'], token: 'bot', perTeam: true },
  'usergroups.users.list': { limit: TIER_2, scopes: ['usergroups:read'], token: 'bot', perTeam: true },
  'usergroups.users.update': { limit: TIER_2, scopes: ['usergroups:write'], token: 'any', perTeam: true },
  'admin.users.list': { limit: TIER_4, scopes: ['admin.users:read'], token: 'user' },
  'admin.users.assign': { limit: TIER_2, scopes: ['admin.users:write'], token: 'user' },
  'admin.users.remove': { limit: TIER_2, scopes: ['admin.users:write'], token: 'user' },
  'admin.users.setOwner': { limit: TIER_2, scopes: ['admin.users:write'], token: 'user' },
  'admin.users.setAdmin': { limit: TIER_2, scopes: ['admin.users:write'], token: 'user' },
  'admin.users.setRegular': { limit: TIER_2, scopes: ['admin.users:write'], token: 'user' },
  'admin.teams.admins.list': { limit: TIER_3, scopes: ['admin.teams:read'], token: 'user' },
  'admin.teams.owners.list': { limit: TIER_3, scopes: ['admin.teams:read'], token: 'user' },
  'admin.roles.listAssignments': { limit: TIER_2, scopes: ['admin.roles:read'], token: 'user' },
  'admin.roles.addAssignments': { limit: TIER_2, scopes: ['admin.roles:write'], token: 'user' },
  'admin.roles.removeAssignments': { limit: TIER_2, scopes: ['admin.roles:write'], token: 'user' },
};
