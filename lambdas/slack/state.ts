// What one sync learns that saves Slack calls. Everything a later page may need is kept in the
// connector state (ConnectorRuntime.state, stored with each checkpoint), so a new slice knows what
// earlier slices learned: auth.teams.list pages, SCIM Users pages, each users.list page in compact
// form (for the workspace grants), the member lists that came with usergroups.list and SCIM Groups
// pages, and SCIM users the bot token cannot see. Memory holds only what this process needs often
// (the SCIM map, the ids it wrote), not the member lists.
import { z } from 'zod';
import type { ConnectorState, Page } from '../../shared/sync/connector.ts';
import { type JsonState, jsonState } from '../../shared/sync/json-state.ts';
import type { SlackTeam, SlackUser } from './client.ts';

/** Role-relevant flags of a users.list member, one bit each. */
export const FLAG = {
  deleted: 1 << 0,
  is_admin: 1 << 1,
  is_owner: 1 << 2,
  is_primary_owner: 1 << 3,
  is_restricted: 1 << 4,
  is_ultra_restricted: 1 << 5,
  is_bot: 1 << 6,
  is_invited_user: 1 << 7,
  is_stranger: 1 << 8,
} as const;

export function flagsOf(u: SlackUser): number {
  let f = 0;
  for (const [name, bit] of Object.entries(FLAG)) if (u[name as keyof typeof FLAG]) f |= bit;
  return f;
}

const memberPageSchema = z.object({ ids: z.array(z.string()), flags: z.array(z.number().int()), next: z.string() });
export type MemberPage = z.output<typeof memberPageSchema>;

const teamsPageSchema = z.object({
  rows: z.array(z.object({ id: z.string(), name: z.string(), domain: z.string() })),
  nextPageToken: z.string().optional(),
});
/** One SCIM Users page: ids in SCIM order, the inactive ones, and the list's total. */
const scimPageSchema = z.object({ ids: z.array(z.string()), inactive: z.array(z.string()), total: z.number().int() });
export type ScimPage = z.output<typeof scimPageSchema>;
const idsSchema = z.array(z.string());

export class SyncState {
  private readonly store: JsonState;
  /** auth.teams.list pages by cursor, shared by this process's syncers (workspaces.ts). */
  readonly teamPages = new Map<string, Promise<Page<SlackTeam>>>();
  /** SCIM id → active, org-wide, in SCIM order; loaded once per process in Business+ mode. */
  scimActive: Promise<Map<string, boolean>> | undefined;
  /** Users this process wrote; `listedFromStart`: the user listing began in this process, so that is all of them. */
  readonly listed = new Set<string>();
  listedFromStart = false;
  /** Business+: SCIM users no workspace's users.list returned, as this process computed them. */
  leftovers: string[] | undefined;
  /** Tells this process's page tokens from an earlier process's (a resumed slice). */
  readonly epoch = Math.random().toString(36).slice(2, 10);

  constructor(store: ConnectorState) {
    this.store = jsonState(store, 'slack');
  }

  storedTeamsPage(cursor: string): Page<SlackTeam> | undefined {
    return this.store.read(`teams:${cursor}`, teamsPageSchema);
  }

  putTeamsPage(cursor: string, page: Page<SlackTeam>): void {
    this.store.write(`teams:${cursor}`, page);
  }

  storedScimPage(start: number): ScimPage | undefined {
    return this.store.read(`scim:${start}`, scimPageSchema);
  }

  putScimPage(start: number, page: ScimPage): void {
    this.store.write(`scim:${start}`, page);
  }

  putMemberPage(teamId: string, cursor: string, page: MemberPage): void {
    this.store.write(`members:${teamId}:${cursor}`, page);
  }

  /** The page once: the workspace grants consume it. */
  takeMemberPage(teamId: string, cursor: string): MemberPage | undefined {
    const key = `members:${teamId}:${cursor}`;
    const page = this.store.read(key, memberPageSchema);
    if (page) this.store.delete(key);
    return page;
  }

  putGroupMembers(groupId: string, ids: string[]): void {
    this.store.write(`usergroup:${groupId}`, ids);
  }

  groupMembersOf(groupId: string): string[] | undefined {
    return this.store.read(`usergroup:${groupId}`, idsSchema);
  }

  dropGroupMembers(groupId: string): void {
    this.store.delete(`usergroup:${groupId}`);
  }

  putIdpMembers(groupId: string, ids: string[]): void {
    this.store.write(`idpgroup:${groupId}`, ids);
  }

  takeIdpMembers(groupId: string): string[] | undefined {
    const key = `idpgroup:${groupId}`;
    const ids = this.store.read(key, idsSchema);
    if (ids) this.store.delete(key);
    return ids;
  }

  /** SCIM users users.info answered user_not_found for: never asked again in this sync. */
  hiddenUsers(): Set<string> {
    return new Set(this.store.read('hidden', idsSchema) ?? []);
  }

  markHidden(userId: string): void {
    const ids = this.hiddenUsers();
    ids.add(userId);
    this.store.write('hidden', [...ids]);
  }
}
