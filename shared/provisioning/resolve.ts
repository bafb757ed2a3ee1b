// From ConductorOne's ids to the connector's full rows, read from the instance's latest sync.c1z:
// grant/revoke need the whole Entitlement (Segment's role annotation, the role's parent workspace)
// and the whole principal Resource (Segment's login email in the user-trait profile).
import type { JsonValue } from '@bufbuild/protobuf';
import { type Entitlement, type Resource, type ResourceType, ResourceType_Trait, UserTraitSchema } from '../c1z/messages.ts';
import { findAnnotation } from '../sync/model.ts';
import { ProvisionRefused } from './failure.ts';
import type { AppEntitlement, AppUser } from './payload.ts';

/** The part of C1zReader resolution reads. */
export interface SyncedRows {
  resourceTypes(): Iterable<ResourceType>;
  resources(filter?: { resourceType?: string }): Iterable<Resource>;
  entitlements(filter?: { resourceType?: string }): Iterable<Entitlement>;
}

/** `<type>:<resource>:<slug>`: the type is everything before the first colon. */
function typeOfEntitlementId(id: string): string {
  const i = id.indexOf(':');
  return i < 0 ? '' : id.slice(0, i);
}

export function findEntitlement(rows: SyncedRows, id: string): Entitlement | undefined {
  const type = typeOfEntitlementId(id);
  if (!type) return undefined;
  for (const e of rows.entitlements({ resourceType: type })) if (e.id === id) return e;
  return undefined;
}

/**
 * The baton ids an AppEntitlement may carry, in order: every value of `sourceConnectorIds` (the
 * connector's id per C1 connector; we do not know our C1 connector id, so all are tried), then
 * `matchBatonId`, then `externalId`.
 */
export function entitlementCandidates(app: AppEntitlement): string[] {
  const ids = [...Object.values(app.sourceConnectorIds ?? {}), app.matchBatonId, app.externalId];
  return [...new Set(ids.filter((v): v is string => typeof v === 'string' && v !== ''))];
}

export function resolveAppEntitlement(rows: SyncedRows, app: AppEntitlement): Entitlement {
  const candidates = entitlementCandidates(app);
  for (const id of candidates) {
    const e = findEntitlement(rows, id);
    if (e) return e;
  }
  const what = candidates.length > 0 ? `none of ${candidates.map((c) => JSON.stringify(c)).join(', ')}` : 'no connector id (sourceConnectorIds / matchBatonId)';
  throw new ProvisionRefused(`entitlement ${JSON.stringify(app.displayName ?? app.id ?? '?')}: ${what} is in the latest sync of this connector`);
}

function userTypes(rows: SyncedRows): string[] {
  const types = [...rows.resourceTypes()].filter((t) => t.traits.includes(ResourceType_Trait.USER)).map((t) => t.id);
  return types.length > 0 ? types : ['user'];
}

/** A principal by the id the connector synced: `<type>:<id>`, or a bare id among the user types. */
export function findPrincipal(rows: SyncedRows, principalId: string): Resource | undefined {
  const colon = principalId.indexOf(':');
  if (colon > 0) {
    const type = principalId.slice(0, colon);
    const id = principalId.slice(colon + 1);
    for (const r of rows.resources({ resourceType: type })) if (r.id?.resource === id) return r;
  }
  for (const type of userTypes(rows)) for (const r of rows.resources({ resourceType: type })) if (r.id?.resource === principalId) return r;
  return undefined;
}

interface UserKeys {
  ids: Set<string>;
  emails: Set<string>;
  names: Set<string>;
}

const lower = (s: string) => s.trim().toLowerCase();

function str(v: JsonValue | undefined): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function keysOf(r: Resource): UserKeys {
  const trait = findAnnotation(r.annotations, UserTraitSchema);
  const profiles = [trait?.profile, r.profile].filter((p) => p !== undefined);
  const ids = new Set<string>();
  const emails = new Set<string>();
  const names = new Set<string>();
  if (r.id?.resource) ids.add(r.id.resource);
  for (const e of trait?.emails ?? []) if (e.address) emails.add(lower(e.address));
  if (trait?.login) names.add(lower(trait.login));
  for (const a of trait?.loginAliases ?? []) names.add(lower(a));
  for (const p of profiles) {
    const login = str(p.login);
    if (login) (login.includes('@') ? emails : names).add(lower(login));
    const email = str(p.email);
    if (email) emails.add(lower(email));
  }
  if (r.displayName) names.add(lower(r.displayName));
  return { ids, emails, names };
}

function appUserKeys(u: AppUser): UserKeys {
  const profileId = u.profile?.user_id;
  return {
    ids: new Set(typeof profileId === 'string' && profileId ? [profileId] : []),
    emails: new Set([u.email, ...(u.emails ?? [])].filter((e): e is string => !!e).map(lower)),
    names: new Set([u.username, ...(u.usernames ?? [])].filter((n): n is string => !!n).map(lower)),
  };
}

/**
 * The synced user an AppUser stands for. AppUser carries no connector id in the SDK model, so this
 * matches, strongest first: the profile's `user_id` (our connectors write it), then emails, then
 * usernames. A tier with several matches refuses rather than guess.
 */
export function matchAppUser(rows: SyncedRows, appUser: AppUser): Resource {
  const want = appUserKeys(appUser);
  const users: [Resource, UserKeys][] = [];
  for (const type of userTypes(rows)) for (const r of rows.resources({ resourceType: type })) users.push([r, keysOf(r)]);
  const tiers: [string, (k: UserKeys) => boolean][] = [
    ['profile user_id', (k) => [...want.ids].some((id) => k.ids.has(id))],
    ['email', (k) => [...want.emails].some((e) => k.emails.has(e))],
    ['username', (k) => [...want.names].some((n) => k.names.has(n))],
  ];
  for (const [label, matches] of tiers) {
    const found = users.filter(([, k]) => matches(k));
    if (found.length === 1) return found[0]![0];
    if (found.length > 1) throw new ProvisionRefused(`app user ${appUser.id ?? '?'} matches ${found.length} synced users by ${label}; refusing to guess`);
  }
  throw new ProvisionRefused(`app user ${appUser.id ?? '?'} matches no user in the latest sync (by profile user_id, email or username)`);
}
