// The shrink guard: a sync that would take most of the org away from ConductorOne is held back.
// The apps have "successful" ways to answer with less than the org (an Okta app without an admin
// role gets 200 and no users; a Slack token that lost a scope; a mistyped domain filter), and
// whatever file is live, ConductorOne treats as the truth: a missing user has lost that access.
// Pure policy over the counts of two syncs; where the files come from and go is the caller's.

export interface TypeCounts {
  resourceType: string;
  resources: number;
  entitlements: number;
  grants: number;
}

/** What the guard knows of one sync: its counts per resource type, and which types are principals. */
export interface SyncShape {
  types: TypeCounts[];
  /** Resource types whose resources are principals (the USER trait, else GROUP, else every type). */
  principalTypes: string[];
}

export interface ShrinkPolicy {
  enabled: boolean;
  /** Block when more than this share of the principals would go (0-100). */
  maxPrincipalDropPercent: number;
  /** Block when more than this share of the grants would go (0-100). */
  maxGrantDropPercent: number;
}

export const DEFAULT_SHRINK_POLICY: ShrinkPolicy = { enabled: true, maxPrincipalDropPercent: 50, maxGrantDropPercent: 50 };

export interface Shrink {
  /** e.g. `principals`, `grants`, `user resources`, `group grants`. */
  what: string;
  from: number;
  to: number;
}

export interface ShrinkVerdict {
  blocked: boolean;
  /** Every shrink past the policy (empty when not blocked). */
  shrinks: Shrink[];
}

const sum = (types: TypeCounts[], pick: (t: TypeCounts) => number, only?: Set<string>) =>
  types.reduce((n, t) => n + (only && !only.has(t.resourceType) ? 0 : pick(t)), 0);

/**
 * Blocks when the new sync would remove more than the allowed share of the principals or of the
 * grants, or would empty a resource type that had resources or grants. The first sync (no previous
 * shape) is never blocked.
 */
export function checkShrink(previous: SyncShape | undefined, next: SyncShape, policy: ShrinkPolicy): ShrinkVerdict {
  if (!policy.enabled || !previous) return { blocked: false, shrinks: [] };
  const shrinks: Shrink[] = [];
  const principals = new Set([...previous.principalTypes, ...next.principalTypes]);
  const drop = (what: string, from: number, to: number, maxPercent: number) => {
    if (from > 0 && ((from - to) / from) * 100 > maxPercent) shrinks.push({ what, from, to });
  };
  drop(
    'principals',
    sum(previous.types, (t) => t.resources, principals),
    sum(next.types, (t) => t.resources, principals),
    policy.maxPrincipalDropPercent,
  );
  drop(
    'grants',
    sum(previous.types, (t) => t.grants),
    sum(next.types, (t) => t.grants),
    policy.maxGrantDropPercent,
  );
  const now = new Map(next.types.map((t) => [t.resourceType, t]));
  for (const t of previous.types) {
    const n = now.get(t.resourceType);
    if (t.resources > 0 && !n?.resources) shrinks.push({ what: `${t.resourceType} resources`, from: t.resources, to: 0 });
    if (t.grants > 0 && !n?.grants) shrinks.push({ what: `${t.resourceType} grants`, from: t.grants, to: 0 });
  }
  return { blocked: shrinks.length > 0, shrinks };
}

const number = (n: number) => n.toLocaleString('en-US');

/** "principals 1,000 → 0 (-100 %), grants 5,000 → 2,000 (-60 %)". */
export function describeShrinks(shrinks: Shrink[]): string {
  return shrinks.map((s) => `${s.what} ${number(s.from)} → ${number(s.to)} (-${Math.round(((s.from - s.to) / s.from) * 100)} %)`).join(', ');
}

/** The principal types among a sync's resource types, given each type's traits. */
export function principalTypesOf(types: { id: string; user: boolean; group: boolean }[]): string[] {
  const users = types.filter((t) => t.user).map((t) => t.id);
  if (users.length > 0) return users;
  const groups = types.filter((t) => t.group).map((t) => t.id);
  return groups.length > 0 ? groups : types.map((t) => t.id);
}
