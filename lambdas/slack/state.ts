// What one sync learns that saves Slack calls. Everything a later page may need is kept in the
// connector state (ConnectorRuntime.state, stored with each checkpoint), so a new slice knows what
// earlier slices learned: auth.teams.list pages, SCIM Users pages, the member lists that came with
// usergroups.list and SCIM Groups pages, users.list pages read before the SCIM map was loaded, and
// SCIM users the bot token cannot see. Memory holds only what this process needs often
// (the SCIM map, the ids it wrote), not the member lists.
import { z } from 'zod';
import type { ConnectorState, Page } from '../../shared/sync/connector.ts';
import { type JsonState, jsonState } from '../../shared/sync/json-state.ts';
import { type SlackTeam, type SlackUser, slackUserSchema } from './client.ts';

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

const teamsPageSchema = z.object({
  rows: z.array(z.object({ id: z.string(), name: z.string(), domain: z.string() })),
  nextPageToken: z.string().optional(),
});
/** One SCIM Users page: ids in SCIM order, the inactive ones, and the list's total. */
const scimPageSchema = z.object({ ids: z.array(z.string()), inactive: z.array(z.string()), total: z.number().int() });
export type ScimPage = z.output<typeof scimPageSchema>;
const idsSchema = z.array(z.string());
const keptPageSchema = z.object({ teamId: z.string(), users: z.array(slackUserSchema) });
export type KeptPage = z.output<typeof keptPageSchema>;

/** SCIM id → active, org-wide, in SCIM order, read a step at a time. */
export interface ScimLoad {
  active: Map<string, boolean>;
  /** Start index of the next page to read, and the total the first page gave. */
  next: number;
  total?: number;
  done: boolean;
  step?: Promise<void>;
}

export class SyncState {
  private readonly store: JsonState;
  /** auth.teams.list pages by cursor, shared by this process's syncers (workspaces.ts). */
  readonly teamPages = new Map<string, Promise<Page<SlackTeam>>>();
  /** Business+: the SCIM map as far as this process has read it (user.ts, scimStep). */
  scim: ScimLoad | undefined;
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

  /** A users.list page read before the SCIM map was there, kept (once per token) until it is written. */
  keepPage(token: string, teamId: string, users: SlackUser[]): void {
    const order = this.store.read('kept', idsSchema) ?? [];
    if (!order.includes(token)) order.push(token);
    this.store.write(`kept:${token}`, { teamId, users });
    this.store.write('kept', order);
  }

  hasKeptPages(): boolean {
    return (this.store.read('kept', idsSchema) ?? []).length > 0;
  }

  /** The oldest kept page, once. */
  takeKeptPage(): KeptPage | undefined {
    const order = this.store.read('kept', idsSchema) ?? [];
    const token = order.shift();
    if (token === undefined) return undefined;
    const page = this.store.read(`kept:${token}`, keptPageSchema);
    this.store.delete(`kept:${token}`);
    this.store.write('kept', order);
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
