// An Okta org as the simulator serves it: users in every lifecycle status, groups (the BUILT_IN
// Everyone group, Okta groups, APP_GROUP push groups) with members and role assignments, apps with
// user and group assignments, admins, custom roles, resource sets with bindings, API tokens and
// the credentials that may call it. Generated from a seed, or written by hand in tests.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { rng } from '../../../shared/sim/kit.ts';

export interface SimUser {
  id: string;
  status: string;
  created: string;
  lastLogin: string | null;
  profile: Record<string, unknown>;
}

export interface SimRole {
  /** The assignment's id. */
  id: string;
  type: string;
  label: string;
  status: 'ACTIVE' | 'INACTIVE';
  assignmentType: 'USER' | 'GROUP';
  /** Custom roles: the role's id; the resource set it is bound on. */
  role?: string;
  resourceSet?: string;
}

export interface SimGroup {
  id: string;
  type: 'BUILT_IN' | 'OKTA_GROUP' | 'APP_GROUP';
  name: string;
  description: string | null;
  members: string[];
  roles: SimRole[];
}

export interface SimApp {
  id: string;
  label: string;
  status: 'ACTIVE' | 'INACTIVE';
  signOnMode: string;
  users: { id: string; scope: 'USER' | 'GROUP' }[];
  groups: string[];
}

export interface SimBinding {
  role: string;
  /** Member id → href (users, groups, or in tests something else). */
  members: { id: string; href: string }[];
}

export interface SimResourceSet {
  id: string;
  label: string;
  description: string;
  bindings: SimBinding[];
}

export interface SimClient {
  clientId: string;
  keyId: string;
  publicKey: KeyObject;
  /** The private key's PEM, for the config map. */
  privateKeyPem: string;
  scopes: string[];
  /** Without an admin role Okta shows no users (or refuses with E0000006). */
  adminRole: boolean;
}

export interface OktaTenant {
  domain: string;
  users: SimUser[];
  groups: SimGroup[];
  apps: SimApp[];
  /** Direct (USER) role assignments per admin. */
  adminRoles: Map<string, SimRole[]>;
  customRoles: { id: string; label: string; description: string }[];
  resourceSets: SimResourceSet[];
  apiTokens: { id: string; name: string; userId: string; created: string; lastUpdated: string; expiresAt: string }[];
  /** SSWS tokens the org accepts. */
  apiTokensAccepted: Set<string>;
  clients: SimClient[];
}

export const SIM_API_TOKEN = '00sim-okta-api-token-0123456789abcdef';
export const SIM_DOMAIN = 'sim.okta.test';
export const SIM_CLIENT_ID = '0oasimserviceapp0001';
export const SIM_KEY_ID = 'sim-key-1';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Okta-shaped ids: a 3-character prefix and 17 base62 characters. */
export function oktaId(prefix: string, n: number): string {
  let s = '';
  let v = n;
  for (let i = 0; i < 17; i++) {
    s = ALPHABET[v % 62] + s;
    v = Math.floor(v / 62);
  }
  return `${prefix}${s}`;
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Ken', 'Dennis', 'Margaret', 'Linus', 'Radia', 'Frances', 'John'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Thompson', 'Ritchie', 'Hamilton', 'Torvalds', 'Perlman', 'Allen', 'Backus'];
const STATUSES: [string, number][] = [
  ['ACTIVE', 0.86],
  ['PROVISIONED', 0.02],
  ['STAGED', 0.02],
  ['SUSPENDED', 0.02],
  ['DEPROVISIONED', 0.05],
  ['LOCKED_OUT', 0.01],
  ['PASSWORD_EXPIRED', 0.01],
  ['RECOVERY', 0.01],
];
const STANDARD = [
  'SUPER_ADMIN',
  'ORG_ADMIN',
  'APP_ADMIN',
  'USER_ADMIN',
  'HELP_DESK_ADMIN',
  'READ_ONLY_ADMIN',
  'REPORT_ADMIN',
  'GROUP_MEMBERSHIP_ADMIN',
  'API_ACCESS_MANAGEMENT_ADMIN',
  'WORKFLOWS_ADMIN',
];
const SIGN_ON = ['SAML_2_0', 'OPENID_CONNECT', 'BOOKMARK', 'AUTO_LOGIN', 'BROWSER_PLUGIN'];

export interface TenantOptions {
  seed: number;
  users: number;
  /** Groups besides Everyone; default users/10. */
  groups?: number;
  /** Default users/250, at least 3. */
  apps?: number;
  /** Admins with direct roles; default users/500, at least 3. */
  admins?: number;
  /** Average app users per app; default users/25. */
  appUsersPerApp?: number;
  customRoles?: number;
  resourceSets?: number;
}

export function generateTenant(o: TenantOptions): OktaTenant {
  const random = rng(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const users: SimUser[] = [];
  for (let i = 0; i < o.users; i++) {
    let r = random();
    let status = 'ACTIVE';
    for (const [s, p] of STATUSES) {
      if (r < p) {
        status = s;
        break;
      }
      r -= p;
    }
    const first = pick(FIRST);
    const last = pick(LAST);
    const login = `${first.toLowerCase()}.${last.toLowerCase()}${i}@${i % 17 === 0 ? 'partner.test' : 'acme.test'}`;
    const profile: Record<string, unknown> = { firstName: first, lastName: last, email: login, login, mobilePhone: null };
    if (i % 3 === 0) profile.secondEmail = `${first.toLowerCase()}${i}@home.test`;
    if (i % 2 === 0) profile.employeeNumber = String(100000 + i);
    if (i % 5 === 0) profile.displayName = `${first} ${last} (${i})`;
    users.push({
      id: oktaId('00u', i + 1),
      status,
      created: new Date(Date.UTC(2023, 0, 1) + i * 60_000).toISOString(),
      lastLogin: status === 'ACTIVE' && i % 4 !== 0 ? new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString() : null,
      profile,
    });
  }
  const ids = users.map((u) => u.id);
  const sample = (n: number): string[] => {
    const out = new Set<string>();
    const want = Math.min(n, ids.length);
    while (out.size < want) out.add(ids[Math.floor(random() * ids.length)]!);
    return [...out];
  };

  const groupCount = o.groups ?? Math.max(3, Math.round(o.users / 10));
  const groups: SimGroup[] = [
    { id: oktaId('00g', 1), type: 'BUILT_IN', name: 'Everyone', description: 'All users in your organization', members: [...ids], roles: [] },
  ];
  const large = Math.max(1, Math.round(groupCount / 100));
  for (let i = 0; i < groupCount; i++) {
    const r = random();
    // One in ten is empty; one in a hundred is large (a tenth of the org); the rest are small.
    const size = r < 0.1 ? 0 : i < large ? Math.round(o.users / 10) : 1 + Math.floor(random() * Math.min(60, Math.max(1, o.users / 20)));
    groups.push({
      id: oktaId('00g', i + 2),
      type: i % 20 === 7 ? 'APP_GROUP' : 'OKTA_GROUP',
      name: `Group ${i + 1}`,
      description: i % 4 === 0 ? null : `Team ${i + 1}`,
      members: sample(size),
      roles: [],
    });
  }

  let roleSeq = 1;
  const standardRole = (type: string, assignmentType: 'USER' | 'GROUP', status: 'ACTIVE' | 'INACTIVE' = 'ACTIVE'): SimRole => ({
    id: oktaId(assignmentType === 'USER' ? 'ra1' : 'gra', roleSeq++),
    type,
    label: type,
    status,
    assignmentType,
  });

  const customRoles = Array.from({ length: o.customRoles ?? 3 }, (_, i) => ({
    id: oktaId('cr0', i + 1),
    label: `Custom role ${i + 1}`,
    description: `Custom ${i + 1}`,
  }));
  const resourceSets: SimResourceSet[] = Array.from({ length: o.resourceSets ?? 2 }, (_, i) => ({
    id: oktaId('iam', i + 1),
    label: `Resource set ${i + 1}`,
    description: `Resources of team ${i + 1}`,
    bindings: [],
  }));

  // Roles held by groups: one in fifty groups (at least two), a custom role on one of them.
  const roleGroups = groups.filter((g) => g.type === 'OKTA_GROUP').slice(0, Math.max(2, Math.round(groupCount / 50)));
  roleGroups.forEach((g, i) => {
    g.roles.push(standardRole(STANDARD[i % STANDARD.length]!, 'GROUP'));
    if (i === 0 && customRoles[0] && resourceSets[0]) {
      g.roles.push({ ...standardRole('CUSTOM', 'GROUP'), label: customRoles[0].label, role: customRoles[0].id, resourceSet: resourceSets[0].id });
    }
    if (i === 1) g.roles.push(standardRole('REPORT_ADMIN', 'GROUP', 'INACTIVE'));
  });

  const adminCount = Math.min(o.users, o.admins ?? Math.max(3, Math.round(o.users / 500)));
  const adminRoles = new Map<string, SimRole[]>();
  for (let i = 0; i < adminCount; i++) {
    const roles = [standardRole(i === 0 ? 'SUPER_ADMIN' : STANDARD[i % STANDARD.length]!, 'USER')];
    if (i % 3 === 1) roles.push(standardRole(STANDARD[(i + 4) % STANDARD.length]!, 'USER'));
    if (i % 7 === 2) roles.push(standardRole('HELP_DESK_ADMIN', 'USER', 'INACTIVE'));
    const cr = customRoles[i % Math.max(1, customRoles.length)];
    const rs = resourceSets[i % Math.max(1, resourceSets.length)];
    if (i % 4 === 3 && cr && rs) roles.push({ ...standardRole('CUSTOM', 'USER'), label: cr.label, role: cr.id, resourceSet: rs.id });
    adminRoles.set(ids[i]!, roles);
  }

  // Bindings: each resource set binds custom roles to admins (users) and role groups.
  resourceSets.forEach((rs, i) => {
    for (const [j, cr] of customRoles.entries()) {
      if ((i + j) % 2 === 1) continue;
      const members = sample(3).map((id, k) => ({ id: oktaId('irb', i * 100 + j * 10 + k + 1), href: `https://${SIM_DOMAIN}/api/v1/users/${id}` }));
      if (roleGroups[0]) members.push({ id: oktaId('irb', i * 100 + j * 10 + 9), href: `https://${SIM_DOMAIN}/api/v1/groups/${roleGroups[0].id}` });
      rs.bindings.push({ role: cr.id, members });
    }
  });

  const appCount = o.apps ?? Math.max(3, Math.round(o.users / 250));
  const perApp = o.appUsersPerApp ?? Math.max(1, Math.round(o.users / 25));
  const apps: SimApp[] = [];
  for (let i = 0; i < appCount; i++) {
    const n = Math.floor(random() * 2 * perApp);
    const assigned = sample(n).map((id, k) => ({ id, scope: (k % 9 === 0 ? 'GROUP' : 'USER') as 'USER' | 'GROUP' }));
    const groupIds =
      groups.length > 1 ? Array.from({ length: Math.floor(random() * 4) }, () => groups[1 + Math.floor(random() * (groups.length - 1))]!.id) : [];
    apps.push({
      id: oktaId('0oa', i + 1),
      label: `App ${i + 1}`,
      status: i % 10 === 9 ? 'INACTIVE' : 'ACTIVE',
      signOnMode: pick(SIGN_ON),
      users: assigned,
      groups: [...new Set(groupIds)],
    });
  }

  const apiTokens = users.slice(0, Math.min(3, users.length)).map((u, i) => ({
    id: oktaId('00T', i + 1),
    name: `Integration token ${i + 1}`,
    userId: u.id,
    created: '2025-01-02T03:04:05.000Z',
    lastUpdated: '2026-11-01T00:00:00.000Z',
    expiresAt: '2027-01-02T03:04:05.000Z',
  }));

  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const clients: SimClient[] = [
    {
      clientId: SIM_CLIENT_ID,
      keyId: SIM_KEY_ID,
      publicKey,
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      scopes: [
        'okta.users.read',
        'okta.groups.read',
        'okta.roles.read',
        'okta.apps.read',
        'okta.users.manage',
        'okta.groups.manage',
        'okta.roles.manage',
        'okta.apps.manage',
        'okta.apiTokens.read',
      ],
      adminRole: true,
    },
  ];

  return {
    domain: SIM_DOMAIN,
    users,
    groups,
    apps,
    adminRoles,
    customRoles,
    resourceSets,
    apiTokens,
    apiTokensAccepted: new Set([SIM_API_TOKEN]),
    clients,
  };
}
