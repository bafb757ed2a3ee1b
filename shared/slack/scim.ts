// Slack's SCIM API (Business+ and Enterprise Grid; `v1` on GovSlack), shared by the Slack
// connectors: user and group pages by startIndex, reads by id, user (de)activation and group
// member PATCHes that add or remove only the members named. Its limits are org-wide.
import { z } from 'zod';
import type { HttpClient } from '../http/types.ts';
import { SCIM_RATE_LIMITS } from './tiers.ts';

/** SCIM user page size: Slack caps `count` at 1000. */
export const SCIM_USERS_PAGE = 1000;
/** SCIM group page size: kept at 100 because list pages carry every member of every group. */
export const SCIM_GROUPS_PAGE = 100;

const scimListOf = <T extends z.ZodType>(item: T) =>
  z.object({ totalResults: z.number().int().nonnegative(), Resources: z.array(item).optional().default([]) });

export const scimUserSchema = z.object({
  id: z.string(),
  active: z.boolean().optional().default(true),
  userName: z.string().optional().default(''),
  displayName: z.string().optional().default(''),
  name: z.object({ givenName: z.string().optional(), familyName: z.string().optional() }).optional().default({}),
  emails: z
    .array(z.object({ value: z.string(), primary: z.boolean().optional().default(false) }))
    .optional()
    .default([]),
});
export type ScimUser = z.output<typeof scimUserSchema>;

const scimMemberSchema = z.object({ value: z.string() });
export const scimGroupSchema = z.object({
  id: z.string(),
  displayName: z.string().optional().default(''),
  members: z.array(scimMemberSchema).optional(),
});
export type ScimGroup = z.output<typeof scimGroupSchema>;
const scimUsersSchema = scimListOf(scimUserSchema);
const scimGroupsSchema = scimListOf(scimGroupSchema);
const ignored = z.unknown();

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** The next startIndex after a page, or undefined when the list is done. */
export function nextStartIndex(start: number, pageSize: number, page: { totalResults: number; Resources: unknown[] }): number | undefined {
  const next = start + pageSize;
  return page.Resources.length > 0 && next <= page.totalResults ? next : undefined;
}

export class ScimClient {
  private readonly http: HttpClient;

  constructor(http: HttpClient) {
    this.http = http;
  }

  usersPage(startIndex: number, count = SCIM_USERS_PAGE) {
    return this.http.request({
      path: 'Users',
      query: { startIndex, count },
      schema: scimUsersSchema,
      rateLimit: SCIM_RATE_LIMITS.scimRead,
      route: 'scim Users',
    });
  }

  groupsPage(startIndex: number, count = SCIM_GROUPS_PAGE) {
    return this.http.request({
      path: 'Groups',
      query: { startIndex, count },
      schema: scimGroupsSchema,
      rateLimit: SCIM_RATE_LIMITS.scimRead,
      route: 'scim Groups',
    });
  }

  group(groupId: string): Promise<ScimGroup> {
    return this.http.request({
      path: `Groups/${encodeURIComponent(groupId)}`,
      schema: scimGroupSchema,
      rateLimit: SCIM_RATE_LIMITS.scimReadById,
      route: 'scim Groups/{id}',
    });
  }

  user(userId: string): Promise<ScimUser> {
    return this.http.request({
      path: `Users/${encodeURIComponent(userId)}`,
      schema: scimUserSchema,
      rateLimit: SCIM_RATE_LIMITS.scimReadById,
      route: 'scim Users/{id}',
    });
  }

  /** SCIM DELETE deactivates the user (Slack keeps the account). */
  async deactivateUser(userId: string): Promise<void> {
    await this.http.request({
      method: 'DELETE',
      path: `Users/${encodeURIComponent(userId)}`,
      schema: ignored,
      rateLimit: SCIM_RATE_LIMITS.scimWriteUser,
      route: 'scim DELETE Users/{id}',
    });
  }

  /** PATCH active=true. */
  async activateUser(userId: string): Promise<void> {
    await this.http.request({
      method: 'PATCH',
      path: `Users/${encodeURIComponent(userId)}`,
      json: { schemas: [PATCH_OP], Operations: [{ path: 'active', op: 'replace', value: true }] },
      schema: ignored,
      rateLimit: SCIM_RATE_LIMITS.scimWriteUser,
      route: 'scim PATCH Users/{id}',
    });
  }

  async patchGroupMembers(groupId: string, op: 'add' | 'remove', userIds: string[]): Promise<void> {
    await this.http.request({
      method: 'PATCH',
      path: `Groups/${encodeURIComponent(groupId)}`,
      json: { schemas: [PATCH_OP], Operations: [{ op, path: 'members', value: userIds.map((value) => ({ value })) }] },
      schema: ignored,
      rateLimit: SCIM_RATE_LIMITS.scimPatchGroup,
      route: 'scim PATCH Groups/{id}',
    });
  }
}
