// The one resource type both modes sync: `user`. Each mode has its own id and profile keys (README.md),
// so the two populations never share ids.
import type { Resource } from '../../../shared/c1z/messages.ts';
import { UserTrait_Status_Status } from '../../../shared/c1z/messages.ts';
import type { Page, ResourceSyncer } from '../../../shared/sync/connector.ts';
import { profile, ResourceStatus, resource, userTrait } from '../../../shared/sync/model.ts';
import { type ApiUsers, type EndUser, modeError, SCIM_PAGE_SIZE, type ScimUser, type ScimUsers } from '../client.ts';
import type { FullstoryContext } from '../context.ts';
import { userResourceType } from './types.ts';

export { userResourceType };

/** displayName, else "given family" when both are set, else userName. */
export function scimDisplayName(u: ScimUser): string {
  if (u.displayName) return u.displayName;
  const given = u.name?.givenName ?? '';
  const family = u.name?.familyName ?? '';
  if (given && family) return `${given} ${family}`;
  return u.userName ?? '';
}

/** Exactly one: the first primary address, else the first address (not primary), else userName (not primary). */
function scimEmail(u: ScimUser): { address: string; primary: boolean } | undefined {
  const emails = u.emails ?? [];
  const primary = emails.find((e) => e.primary === true);
  const chosen = primary
    ? { address: primary.value ?? '', primary: true }
    : emails[0]
      ? { address: emails[0].value ?? '', primary: false }
      : { address: u.userName ?? '', primary: false };
  return chosen.address ? chosen : undefined;
}

export function scimUserResource(u: ScimUser): Resource {
  const displayName = scimDisplayName(u);
  const email = scimEmail(u);
  // A missing `active` reads as inactive, as upstream decodes it.
  const active = u.active === true;
  const userProfile = profile({
    scim_id: u.id,
    user_name: u.userName ?? '',
    display_name: displayName,
    first_name: u.name?.givenName || undefined,
    last_name: u.name?.familyName || undefined,
  });
  return resource({
    type: 'user',
    id: u.id,
    displayName,
    annotations: [
      userTrait({
        emails: email ? [email] : [],
        login: u.userName ?? undefined,
        status: active ? UserTrait_Status_Status.ENABLED : UserTrait_Status_Status.DISABLED,
        profile: userProfile,
      }),
    ],
    // The Go SCIM connector's SDK (resource.WithUserTrait → syncUserTraitToResource) copies the
    // trait's profile and status onto the resource; ConductorOne reads them there.
    profile: userProfile,
    status: active ? ResourceStatus.ENABLED : ResourceStatus.DISABLED,
  });
}

export function endUserResource(u: EndUser): Resource {
  const displayName = u.display_name ?? '';
  return resource({
    type: 'user',
    id: u.id,
    displayName,
    annotations: [
      userTrait({
        emails: u.email ? [{ address: u.email, primary: true }] : [],
        // Being deleted is still present upstream: disabled, not dropped.
        status: u.is_being_deleted ? UserTrait_Status_Status.DISABLED : UserTrait_Status_Status.ENABLED,
        profile: profile({ user_id: u.id, user_uid: u.uid ?? '', display_name: displayName }),
      }),
    ],
  });
}

const noRows = async <T>(): Promise<Page<T>> => ({ rows: [] });

/**
 * SCIM paging by startIndex, advancing by what the server actually returned. Stops on an empty page
 * as well as on totalResults: an overstated total makes upstream's Go loop forever on the same page.
 */
export function scimUserSyncer({ client, runtime }: FullstoryContext<ScimUsers>): ResourceSyncer {
  let warnedMissingTotal = false;
  return {
    resourceType: userResourceType,
    async list(_parent, pageToken) {
      const startIndex = pageToken ? Number(pageToken) : 1;
      if (!Number.isSafeInteger(startIndex) || startIndex < 1) {
        throw modeError('scim', 'bad_page_token', `page token ${JSON.stringify(pageToken)} is not a SCIM startIndex`);
      }
      const page = await client.listUsers(startIndex, SCIM_PAGE_SIZE);
      const rows = page.rows.map(scimUserResource);
      const next = startIndex + page.rows.length;
      if (page.rows.length === 0) return { rows };
      if (page.totalResults === undefined) {
        // Without a total only an empty page can end the list; stopping after page 1 would truncate silently.
        if (!warnedMissingTotal) {
          runtime.log('fullstory: SCIM list response has no totalResults; paging until an empty page', { startIndex });
          warnedMissingTotal = true;
        }
        return { rows, nextPageToken: String(next) };
      }
      return next <= page.totalResults ? { rows, nextPageToken: String(next) } : { rows };
    },
    entitlements: noRows,
    grants: noRows,
  };
}

/** API-key paging by page_token; the server picks the page size. */
export function endUserSyncer({ client }: FullstoryContext<ApiUsers>): ResourceSyncer {
  return {
    resourceType: userResourceType,
    async list(_parent, pageToken) {
      const page = await client.listUsers(pageToken || undefined);
      if (page.nextPageToken !== undefined && page.nextPageToken === pageToken) {
        throw modeError('apikey', 'paging_loop', 'GET /v2/users returned the same next_page_token it was given; stopping instead of looping');
      }
      return { rows: page.rows.map(endUserResource), nextPageToken: page.nextPageToken };
    },
    entitlements: noRows,
    grants: noRows,
  };
}
