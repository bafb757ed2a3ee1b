// A seeded Segment workspace: users, groups with members, roles whose names exercise the
// Source / Warehouse / Function / Engage rules, sources, warehouses, three function kinds, spaces,
// and user and group permissions (some with labels).
import { rng } from '../../../shared/sim/kit.ts';

export type FunctionKind = 'DESTINATION' | 'INSERT_DESTINATION' | 'SOURCE';
export const FUNCTION_KINDS: readonly FunctionKind[] = ['DESTINATION', 'INSERT_DESTINATION', 'SOURCE'];

export interface SimLabel {
  key: string;
  value: string;
  description?: string;
}

export interface SimPermissionResource {
  id: string;
  type: 'WORKSPACE' | 'SOURCE' | 'WAREHOUSE' | 'FUNCTION' | 'SPACE' | string;
  labels?: SimLabel[];
}

export interface SimPermission {
  roleId: string;
  roleName: string;
  resources: SimPermissionResource[];
  labels?: SimLabel[];
}

export interface SimUser {
  id: string;
  name: string;
  email: string;
  permissions: SimPermission[];
}

export interface SimGroup {
  id: string;
  name: string;
  memberIds: string[];
  permissions: SimPermission[];
}

export interface SimRole {
  id: string;
  name: string;
  description: string;
}

export interface SimNamed {
  id: string;
  name: string;
}

export interface SimFunction {
  id: string;
  displayName: string;
  kind: FunctionKind;
}

export interface SegmentTenant {
  token: string;
  workspace: { id: string; name: string; slug: string };
  users: SimUser[];
  groups: SimGroup[];
  roles: SimRole[];
  sources: SimNamed[];
  warehouses: SimNamed[];
  functions: SimFunction[];
  spaces: SimNamed[];
}

export interface TenantSize {
  seed?: number;
  users?: number;
  groups?: number;
  /** Members per group (each group gets exactly this many, capped at users). */
  membersPerGroup?: number;
  /** Total roles; the first few are Segment's usual ones, the rest synthetic. */
  roles?: number;
  sources?: number;
  warehouses?: number;
  /** Total functions, split over the three kinds. */
  functions?: number;
  spaces?: number;
}

/** Real-looking role names first: they cover every name rule the connector applies. */
const BASE_ROLES: [string, string][] = [
  ['Workspace Owner', 'Full read and edit access to everything in the workspace'],
  ['Workspace Member', 'Access to the workspace, permissions set per resource'],
  ['Source Admin', 'Edit access to sources and their settings'],
  ['Source Read-only', 'Read access to sources'],
  ['Warehouse Admin', 'Edit access to warehouses'],
  ['Warehouse Read-only', 'Read access to warehouses'],
  ['Functions Admin', 'Create and edit functions'],
  ['Functions Read-only', 'Read access to functions'],
  ['Engage Admin', 'Edit access to Engage spaces'],
  ['Engage User', 'Use Engage spaces'],
  ['Engage Read-only', 'Read access to Engage spaces'],
  // Contains "Space" but not "Engage": applies to no space (Segment names space roles "Engage").
  ['Space Observer', 'Legacy role that grants nothing on spaces'],
  ['Tracking Plan Read-only', 'Read access to tracking plans'],
  // Both keywords: one entitlement on sources and one on functions.
  ['Source Function Editor', 'Edit source functions'],
  // Acronym and digit boundaries in the snake_case slug.
  ['JSONSource Viewer2', 'Exercises the slug rules'],
];

const CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Leslie', 'Margaret', 'Dennis'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman', 'Lamport', 'Hamilton', 'Ritchie'];

export function generateTenant(size: TenantSize = {}): SegmentTenant {
  const random = rng(size.seed ?? 1);
  const int = (n: number) => Math.floor(random() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)] as T;
  const ids = new Set<string>();
  const id = (): string => {
    for (;;) {
      let s = '';
      for (let i = 0; i < 27; i++) s += CHARS[int(CHARS.length)];
      if (!ids.has(s)) {
        ids.add(s);
        return s;
      }
    }
  };

  const nUsers = size.users ?? 50;
  const nGroups = size.groups ?? Math.max(1, Math.round(nUsers / 25));
  const nRoles = Math.max(size.roles ?? BASE_ROLES.length, 2);
  const nSources = size.sources ?? Math.max(2, Math.round(nUsers / 20));
  const nWarehouses = size.warehouses ?? Math.max(1, Math.round(nSources / 5));
  const nFunctions = size.functions ?? Math.max(3, Math.round(nSources / 2));
  const nSpaces = size.spaces ?? Math.max(1, Math.round(nSources / 10));

  const roles: SimRole[] = [];
  for (let i = 0; i < nRoles; i++) {
    const base = BASE_ROLES[i];
    if (base) roles.push({ id: id(), name: base[0], description: base[1] });
    else {
      const kind = ['Source', 'Warehouse', 'Function', 'Engage', 'Workspace'][i % 5];
      roles.push({ id: id(), name: `Custom ${kind} Role ${i}`, description: `Synthetic role ${i}` });
    }
  }
  const rolesFor = (keyword: string) => roles.filter((r) => r.name.includes(keyword));
  const ownerRole = roles[0] as SimRole;
  const memberRole = roles[1] as SimRole;

  const sources = Array.from({ length: nSources }, (_, i) => ({ id: id(), name: `source-${i}` }));
  const warehouses = Array.from({ length: nWarehouses }, (_, i) => ({ id: id(), name: `warehouse-${i}` }));
  const functions = Array.from({ length: nFunctions }, (_, i) => ({
    id: id(),
    displayName: `function-${i}`,
    kind: FUNCTION_KINDS[i % FUNCTION_KINDS.length] as FunctionKind,
  }));
  const spaces = Array.from({ length: nSpaces }, (_, i) => ({ id: id(), name: `space-${i}` }));

  const targets: [string, 'SOURCE' | 'WAREHOUSE' | 'FUNCTION' | 'SPACE', { id: string }[]][] = [
    ['Source', 'SOURCE', sources],
    ['Warehouse', 'WAREHOUSE', warehouses],
    ['Function', 'FUNCTION', functions],
    ['Engage', 'SPACE', spaces],
  ];

  const resourcePermission = (): SimPermission | undefined => {
    const [keyword, type, items] = pick(targets);
    const candidates = rolesFor(keyword);
    if (items.length === 0 || candidates.length === 0) return undefined;
    const role = pick(candidates);
    const chosen = new Set<string>();
    const count = 1 + int(2);
    for (let i = 0; i < count; i++) chosen.add(pick(items).id);
    const p: SimPermission = { roleId: role.id, roleName: role.name, resources: [...chosen].map((rid) => ({ id: rid, type })) };
    if (random() < 0.2) p.labels = [{ key: 'environment', value: pick(['prod', 'dev']), description: 'label scope' }];
    return p;
  };

  const users: SimUser[] = [];
  for (let i = 0; i < nUsers; i++) {
    const first = pick(FIRST);
    const last = pick(LAST);
    const name = random() < 0.05 ? first : random() < 0.1 ? `${first} van ${last}` : `${first} ${last}`;
    const email = random() < 0.02 ? '' : `${first}.${last}.${i}@example.com`.toLowerCase();
    const permissions: SimPermission[] = [
      {
        roleId: (i % 10 === 0 ? ownerRole : memberRole).id,
        roleName: (i % 10 === 0 ? ownerRole : memberRole).name,
        resources: [{ id: '', type: 'WORKSPACE' }],
      },
    ];
    const extra = int(3);
    for (let k = 0; k < extra; k++) {
      const p = resourcePermission();
      if (p) permissions.push(p);
    }
    users.push({ id: id(), name, email, permissions });
  }

  const groups: SimGroup[] = [];
  for (let g = 0; g < nGroups; g++) {
    const want = Math.min(size.membersPerGroup ?? 1 + int(Math.min(40, nUsers)), nUsers);
    const members = new Set<string>();
    // Deterministic spread: a random start then consecutive users, so big groups stay cheap to build.
    const start = int(Math.max(1, nUsers));
    for (let k = 0; k < want; k++) members.add((users[(start + k) % nUsers] as SimUser).id);
    const permissions: SimPermission[] = [];
    if (g % 3 === 0) permissions.push({ roleId: memberRole.id, roleName: memberRole.name, resources: [{ id: '', type: 'WORKSPACE' }] });
    const p = resourcePermission();
    if (p) permissions.push(p);
    groups.push({ id: id(), name: `group-${g}`, memberIds: [...members], permissions });
  }

  const wsId = id();
  for (const holder of [...users, ...groups]) for (const p of holder.permissions) for (const r of p.resources) if (r.type === 'WORKSPACE') r.id = wsId;

  return {
    token: `sgp_${id()}`,
    workspace: { id: wsId, name: 'Acme Analytics', slug: 'acme-analytics' },
    users,
    groups,
    roles,
    sources,
    warehouses,
    functions,
    spaces,
  };
}

/**
 * What a correct sync of `tenant` holds, computed from the Go connector's rules independently of the
 * connector: keyword match on role names, one grant per (principal, role, resource), grants only
 * where the entitlement exists.
 */
export function expectedCounts(t: SegmentTenant): { resourceTypes: number; resources: number; entitlements: number; grants: number } {
  const applies: Record<string, string> = { SOURCE: 'Source', WAREHOUSE: 'Warehouse', FUNCTION: 'Function', SPACE: 'Engage' };
  const count = (kw: string) => t.roles.filter((r) => r.name.includes(kw)).length;
  const targets = t.sources.length + t.warehouses.length + t.functions.length + t.spaces.length;
  const resources = 1 + t.users.length + t.groups.length + t.roles.length + targets;
  const entitlements =
    1 +
    t.groups.length +
    t.roles.length +
    t.sources.length * count('Source') +
    t.warehouses.length * count('Warehouse') +
    t.functions.length * count('Function') +
    t.spaces.length * count('Engage');
  const roleName = new Map(t.roles.map((r) => [r.id, r.name]));
  const permissionGrants = (principal: string, permissions: SimPermission[], into: Set<string>) => {
    for (const p of permissions) {
      const name = roleName.get(p.roleId);
      if (name === undefined) continue;
      for (const r of p.resources) {
        if (r.type === 'WORKSPACE') into.add(`${principal}|role|${p.roleId}`);
        else if (applies[r.type] && name.includes(applies[r.type] as string)) into.add(`${principal}|${r.type}|${r.id}|${p.roleId}`);
      }
    }
  };
  const grants = new Set<string>();
  for (const u of t.users) {
    grants.add(`user:${u.id}|workspace`);
    permissionGrants(`user:${u.id}`, u.permissions, grants);
  }
  for (const g of t.groups) {
    for (const m of g.memberIds) grants.add(`user:${m}|group:${g.id}`);
    permissionGrants(`group:${g.id}`, g.permissions, grants);
  }
  return { resourceTypes: 8, resources, entitlements, grants: grants.size };
}
