// Users: every user including deactivated ones, mapped as baton-okta maps them (profile with the
// raw status, emails, login and its short alias, employee ids, last login, status).
import type { JsonObject, JsonValue } from '@bufbuild/protobuf';
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { RawIdSchema, type Resource, UserTrait_Status_Status, UserTraitSchema, V1IdentifierSchema } from '../../../shared/c1z/messages.ts';
import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import { AccountType, pack, profile, ResourceStatus, resource } from '../../../shared/sync/model.ts';
import type { OktaUser } from '../client.ts';
import type { OktaContext } from '../context.ts';
import { userType } from './types.ts';

/** Okta statuses in which the account can sign in (enable_user's target) and in which nobody can. */
export const ENABLED_STATUSES = new Set(['ACTIVE', 'PROVISIONED', 'RECOVERY', 'PASSWORD_EXPIRED', 'LOCKED_OUT']);
export const DISABLED_STATUSES = new Set(['STAGED', 'SUSPENDED', 'DEPROVISIONED']);

const EMPLOYEE_ID_KEYS = new Set(['employeenumber', 'employeeid', 'employeeidnumber', 'employee_number', 'employee_id', 'employee_idnumber']);

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function date(v: string | null | undefined): Date | undefined {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Email, secondEmail and an email-shaped login: what the email-domain filter looks at. */
export function emailsOf(p: Record<string, unknown> | null | undefined): string[] {
  const out: string[] = [];
  const email = str(p?.email);
  if (email) out.push(email);
  const second = str(p?.secondEmail);
  if (second) out.push(second);
  const login = str(p?.login);
  if (login?.includes('@')) out.push(login);
  return out;
}

/** No domains: everyone. Otherwise someone with an address ending in `@<domain>`. */
export function includedByDomains(p: Record<string, unknown> | null | undefined, domains: readonly string[]): boolean {
  if (domains.length === 0) return true;
  const emails = emailsOf(p).map((e) => e.toLowerCase());
  return domains.some((d) => emails.some((e) => e.endsWith(`@${d}`)));
}

export function userDisplayName(p: Record<string, unknown>): string {
  const name = str(p.displayName);
  if (name !== undefined) return name;
  return `${str(p.firstName) ?? 'unknown'} ${str(p.lastName) ?? 'unknown'}`;
}

export function userStatus(status: string): ResourceStatus {
  if (DISABLED_STATUSES.has(status)) return ResourceStatus.DISABLED;
  if (ENABLED_STATUSES.has(status)) return ResourceStatus.ENABLED;
  return ResourceStatus.UNSPECIFIED;
}

export function userResource(u: OktaUser, skipSecondaryEmails: boolean): Resource {
  const p: Record<string, unknown> = { ...u.profile, c1_okta_raw_user_status: u.status };
  const emails: { address: string; isPrimary: boolean }[] = [];
  const email = str(p.email);
  if (email) emails.push({ address: email, isPrimary: true });
  const second = str(p.secondEmail);
  if (second && !skipSecondaryEmails) emails.push({ address: second, isPrimary: false });
  if (skipSecondaryEmails) p.secondEmail = null;

  const employeeIds = new Set<string>();
  let login = '';
  let loginAliases: string[] = [];
  for (const [key, value] of Object.entries(p)) {
    const k = key.toLowerCase();
    if (EMPLOYEE_ID_KEYS.has(k) && typeof value === 'string') employeeIds.add(value);
    else if (k === 'login' && typeof value === 'string') {
      login = value;
      const parts = value.split('@');
      loginAliases = parts.length === 2 ? [parts[0]!] : [];
    }
  }
  const lastLogin = date(u.lastLogin);
  const trait = pack(UserTraitSchema, {
    emails,
    status: { status: UserTrait_Status_Status.ENABLED, details: '' },
    accountType: AccountType.HUMAN,
    login,
    loginAliases,
    // Go builds them in a set, whose order is random; sorted, the bytes are the same every sync.
    employeeIds: [...employeeIds].sort(),
    lastLogin: lastLogin ? timestampFromDate(lastLogin) : undefined,
  });
  const res = resource({
    type: userType.id,
    id: u.id,
    displayName: userDisplayName(p),
    annotations: [trait, pack(V1IdentifierSchema, { id: u.id }), pack(RawIdSchema, { id: u.id })],
    profile: profile(p as Record<string, JsonValue | undefined>) as JsonObject,
    status: userStatus(u.status),
    statusDetails: u.status,
  });
  const created = date(u.created);
  if (created) res.createdAt = timestampFromDate(created);
  return res;
}

export function userSyncer(ctx: OktaContext): ResourceSyncer {
  return {
    resourceType: userType,
    async list(parent, pageToken) {
      if (parent) return { rows: [] };
      const page = await ctx.client.users(pageToken);
      const rows = page.items
        .filter((u) => includedByDomains(u.profile, ctx.config.filterEmailDomains))
        .map((u) => userResource(u, ctx.config.skipSecondaryEmails));
      return { rows, nextPageToken: page.after };
    },
    async entitlements() {
      return { rows: [] };
    },
    async grants() {
      return { rows: [] };
    },
  };
}
