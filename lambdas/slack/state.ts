// What one sync keeps between calls so no Slack page is fetched twice: workspace names, the
// workspace's users.list pages in compact form (for the workspace grants), user-group and
// IDP-group member lists from the list calls, and the SCIM active map. Everything is bounded by a
// budget of cached ids; past it the syncers fall back to fetching, as after a resume in a new
// process, so the cache only ever saves calls and never changes rows.
import type { Page } from '../../shared/sync/connector.ts';
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

export interface MemberPage {
  ids: string[];
  flags: Uint16Array;
  next: string;
}

/** ~60 MB of ids at most; a 20k-user workspace with 100k memberships uses a fraction of it. */
export const DEFAULT_BUDGET = 750_000;

export class SyncState {
  readonly workspaceNames = new Map<string, string>();
  /** auth.teams.list pages by cursor (workspaces.ts). */
  readonly teamPages = new Map<string, Promise<Page<SlackTeam>>>();
  private readonly memberPages = new Map<string, MemberPage>();
  private readonly groupMembers = new Map<string, string[]>();
  private readonly idpMembers = new Map<string, string[]>();
  /** SCIM id → active, org-wide; loaded once per sync in Business+ mode (shared by workspaces). */
  scimActive: Promise<Map<string, boolean>> | undefined;
  /** Users this process wrote; `listedFromStart`: the user listing began in this process, so that is all of them. */
  readonly listed = new Set<string>();
  listedFromStart = false;
  /** Business+: SCIM users no workspace's users.list returned, as this process computed them. */
  leftovers: string[] | undefined;
  /** Tells this process's page tokens from an earlier process's (a resumed slice). */
  readonly epoch = Math.random().toString(36).slice(2, 10);
  private used = 0;
  private readonly budget: number;

  constructor(budget = DEFAULT_BUDGET) {
    this.budget = budget;
  }

  private reserve(n: number): boolean {
    if (this.used + n > this.budget) return false;
    this.used += n;
    return true;
  }

  private release(n: number): void {
    this.used = Math.max(0, this.used - n);
  }

  putMemberPage(teamId: string, cursor: string, page: MemberPage): void {
    if (this.reserve(page.ids.length)) this.memberPages.set(`${teamId}\n${cursor}`, page);
  }

  /** The page once: the workspace grants consume it. */
  takeMemberPage(teamId: string, cursor: string): MemberPage | undefined {
    const key = `${teamId}\n${cursor}`;
    const page = this.memberPages.get(key);
    if (page) {
      this.memberPages.delete(key);
      this.release(page.ids.length);
    }
    return page;
  }

  putGroupMembers(groupId: string, ids: string[]): boolean {
    if (!this.reserve(ids.length)) return false;
    this.groupMembers.set(groupId, ids);
    return true;
  }

  groupMembersOf(groupId: string): string[] | undefined {
    return this.groupMembers.get(groupId);
  }

  dropGroupMembers(groupId: string): void {
    const ids = this.groupMembers.get(groupId);
    if (ids) {
      this.groupMembers.delete(groupId);
      this.release(ids.length);
    }
  }

  putIdpMembers(groupId: string, ids: string[]): void {
    if (this.reserve(ids.length)) this.idpMembers.set(groupId, ids);
  }

  takeIdpMembers(groupId: string): string[] | undefined {
    const ids = this.idpMembers.get(groupId);
    if (ids) {
      this.idpMembers.delete(groupId);
      this.release(ids.length);
    }
    return ids;
  }
}
