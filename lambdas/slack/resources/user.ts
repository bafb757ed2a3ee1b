// Users of every workspace, each written once. Standard mode: users.list pages. Business+ mode:
// the SCIM user set (org-wide) joined with users.list pages instead of one users.info per SCIM
// user; only SCIM users no workspace's users.list returned are looked up one by one.
import type { Resource, ResourceId } from '../../../shared/c1z/messages.ts';
import { SlackApiError } from '../../../shared/slack/errors.ts';
import type { ListPage, ResourceSyncer } from '../../../shared/sync/connector.ts';
import { AccountType, profile, ResourceStatus, resource, resourceId, userTrait } from '../../../shared/sync/model.ts';
import { SCIM_USERS_PAGE, type SlackUser } from '../client.ts';
import type { SlackContext } from '../context.ts';
import type { ScimLoad, ScimPage } from '../state.ts';
import { workspaceIds, workspaceTeam } from '../workspaces.ts';
import { userType, workspaceType } from './types.ts';
import { workspaceGrants, workspaceResource } from './workspace.ts';

/** users.info calls per page of the leftover phase. */
const LEFTOVER_BATCH = 100;

/**
 * The Go connector shows `name`, which is empty for some app and invited users; an empty display
 * name is useless in a review, so fall back to the real name, the email, then the id.
 */
export function userDisplayName(u: SlackUser): string {
  return u.name || u.real_name || u.profile.real_name || u.profile.email || u.id;
}

export function userResource(u: SlackUser, parent: ResourceId, status: ResourceStatus): Resource {
  const p = u.profile;
  const email = p.email ?? '';
  return resource({
    type: userType.id,
    id: u.id,
    displayName: userDisplayName(u),
    parent,
    annotations: [
      userTrait({
        emails: email ? [{ address: email, primary: true }] : [],
        accountType: u.is_bot ? AccountType.SERVICE : AccountType.HUMAN,
        // has_2fa false may only mean "not visible to this token": set MFA only when known true.
        mfaEnabled: u.has_2fa === true ? true : undefined,
      }),
    ],
    status,
    profile: profile({
      first_name: p.first_name ?? '',
      last_name: p.last_name ?? '',
      login: email,
      workspace: p.team ?? '',
      user_id: u.id,
      status_text: p.status_text ?? '',
      status_emoji: p.status_emoji ?? '',
      is_admin: u.is_admin,
      is_owner: u.is_owner,
      is_primary_owner: u.is_primary_owner,
      is_bot: u.is_bot,
      is_app_user: u.is_app_user,
      is_invited_user: u.is_invited_user,
      is_restricted: u.is_restricted,
      is_ultra_restricted: u.is_ultra_restricted,
      is_stranger: u.is_stranger,
      is_deleted: u.deleted,
    }),
  });
}

/** SCIM Users pages read per step (side by side: SCIM reads allow 1,000 a minute). */
const SCIM_PAGES_PER_STEP = 4;

/**
 * Reads the SCIM map a step at a time: each users.list page reads the next few SCIM Users pages
 * beside its own call instead of waiting for all of them, and since the reading happens inside
 * pages, nothing is in flight when a slice ends. Resolves to the map once every page is read.
 */
function scimStep(ctx: SlackContext): Promise<Map<string, boolean> | undefined> {
  const load: ScimLoad = (ctx.state.scim ??= { active: new Map(), next: 1, done: false });
  if (load.done) return Promise.resolve(load.active);
  // One step at a time per process; a failed one is tried afresh by the next page (pages read stay in the state).
  load.step ??= readScimStep(ctx, load).finally(() => {
    load.step = undefined;
  });
  return load.step.then(() => (load.done ? load.active : undefined));
}

async function scimActive(ctx: SlackContext): Promise<Map<string, boolean>> {
  for (;;) {
    const active = await scimStep(ctx);
    if (active) return active;
  }
}

/**
 * The first page alone when the total is not known yet, then the next pages by start index; an
 * empty page (a total that overstated) ends the map. SCIM order is kept.
 */
async function readScimStep(ctx: SlackContext, load: ScimLoad): Promise<void> {
  if (load.total === undefined) {
    const first = await scimPage(ctx, 1);
    load.total = first.total;
    if (!addScimPage(load, first)) return;
  }
  const starts: number[] = [];
  for (let start = load.next; start <= load.total && starts.length < SCIM_PAGES_PER_STEP; start += SCIM_USERS_PAGE) starts.push(start);
  for (const page of await Promise.all(starts.map((start) => scimPage(ctx, start)))) if (!addScimPage(load, page)) return;
}

/** False once the map is complete. */
function addScimPage(load: ScimLoad, page: ScimPage): boolean {
  if (page.ids.length === 0) {
    load.done = true;
    return false;
  }
  const inactive = new Set(page.inactive);
  for (const id of page.ids) load.active.set(id, !inactive.has(id));
  load.next += SCIM_USERS_PAGE;
  if (load.next > (load.total ?? 0)) load.done = true;
  return !load.done;
}

async function scimPage(ctx: SlackContext, start: number): Promise<ScimPage> {
  const stored = ctx.state.storedScimPage(start);
  if (stored) return stored;
  const fetched = await ctx.client.scimUsersPage(start);
  const page = { ids: fetched.Resources.map((u) => u.id), inactive: fetched.Resources.filter((u) => !u.active).map((u) => u.id), total: fetched.totalResults };
  ctx.state.putScimPage(start, page);
  return page;
}

/**
 * Whether this sync already wrote the user. A process that listed from the first page knows it
 * from memory; a resumed one (a new slice) asks the sync database about what earlier slices wrote.
 */
function written(ctx: SlackContext, userId: string): boolean {
  return ctx.state.listed.has(userId) || (!ctx.state.listedFromStart && ctx.runtime.hasResource(userType.id, userId));
}

/**
 * Users come from one chain of pages over every workspace in id order, `u:<workspace>:<cursor>`,
 * so a user several workspaces list is written once, under the first of them (README.md, user
 * parents). Business+ keeps only SCIM users and ends with `x:` pages of users.info for the SCIM
 * users no workspace listed.
 *
 * Business+ needs the SCIM map to know which users to write, but the users.list chain is what
 * bounds the sync (Tier 2), so it never waits for the whole map: each page reads a step of it
 * beside its own call (scimStep), a page that comes before the map is complete is kept in the
 * connector state with its grants written, and kept pages are written, oldest first, two per page
 * once the map is there; `d:<n>` pages after the chain write what is still kept.
 */
async function listUsers(ctx: SlackContext, token: string | undefined): Promise<ListPage> {
  const teams = await workspaceIds(ctx);
  if (teams.length === 0) return { rows: [] };
  if (!token) {
    ctx.state.listed.clear();
    ctx.state.listedFromStart = true;
    token = `u:${teams[0]}:`;
  }
  const business = ctx.client.hasScim;
  if (token.startsWith('x:') && business) return listLeftovers(ctx, token, await scimActive(ctx), teams);
  if (token.startsWith('d:') && business) {
    const rows = writeKept(ctx, await scimActive(ctx), KEPT_PER_PAGE);
    return { rows, nextPageToken: afterChain(ctx, Number(token.slice(2)) + 1) };
  }

  const sep = token.indexOf(':', 2);
  const teamId = token.slice(2, sep < 0 ? undefined : sep);
  const cursor = sep < 0 ? '' : token.slice(sep + 1);
  const [page, team, scim] = await Promise.all([ctx.client.usersPage(teamId, cursor), workspaceTeam(ctx, teamId), business ? scimStep(ctx) : undefined]);
  // Every member the page lists holds its workspace's grants, SCIM or not, written or not.
  const grants = workspaceGrants(workspaceResource(team), page.rows);
  // Business+ keeps the page while the map is not whole, or behind pages kept earlier (user parents follow chain order).
  const keep = business && (!scim || ctx.state.hasKeptPages());
  if (keep) ctx.state.keepPage(token, teamId, page.rows);
  const rows = !keep ? usersToWrite(ctx, teamId, page.rows, scim) : scim ? writeKept(ctx, scim, KEPT_PER_PAGE) : [];
  if (page.nextPageToken) return { rows, grants, nextPageToken: `u:${teamId}:${page.nextPageToken}` };
  // The next id in sorted order, not the next index: a workspace gone since an earlier slice cannot loop the chain.
  const nextTeam = teams.find((t) => t > teamId);
  if (nextTeam) return { rows, grants, nextPageToken: `u:${nextTeam}:` };
  return business ? { rows, grants, nextPageToken: afterChain(ctx, 0) } : { rows, grants };
}

/** Kept users.list pages written per page: more than one, so the kept pages run out while the chain goes on. */
const KEPT_PER_PAGE = 2;

function afterChain(ctx: SlackContext, n: number): string {
  return ctx.state.hasKeptPages() ? `d:${n}` : `x:${ctx.state.epoch}:0`;
}

function writeKept(ctx: SlackContext, scim: Map<string, boolean>, pages: number): Resource[] {
  const rows: Resource[] = [];
  for (let i = 0; i < pages; i++) {
    const kept = ctx.state.takeKeptPage();
    if (!kept) break;
    rows.push(...usersToWrite(ctx, kept.teamId, kept.users, scim));
  }
  return rows;
}

/** The page's users this sync has not written yet (Business+: SCIM users only), under `teamId`. */
function usersToWrite(ctx: SlackContext, teamId: string, users: readonly SlackUser[], scim: Map<string, boolean> | undefined): Resource[] {
  const parent = resourceId(workspaceType.id, teamId);
  const rows: Resource[] = [];
  for (const u of users) {
    if (scim && !scim.has(u.id)) continue;
    if (written(ctx, u.id)) continue;
    ctx.state.listed.add(u.id);
    rows.push(userResource(u, parent, scim ? scimStatus(scim, u.id) : u.deleted ? ResourceStatus.DELETED : ResourceStatus.ENABLED));
  }
  return rows;
}

function scimStatus(scim: Map<string, boolean>, id: string): ResourceStatus {
  return scim.get(id) === false ? ResourceStatus.DISABLED : ResourceStatus.ENABLED;
}

/**
 * `x:<epoch>:<offset>`: an offset into this process's leftover list; a token from an earlier
 * process (a resumed slice) starts over on a list that already leaves out what was written.
 */
async function listLeftovers(ctx: SlackContext, token: string, scim: Map<string, boolean>, teams: string[]): Promise<ListPage> {
  const [, epoch, at] = token.split(':');
  let offset = Number(at) || 0;
  if (epoch !== ctx.state.epoch || !ctx.state.leftovers) {
    const hidden = ctx.state.hiddenUsers();
    ctx.state.leftovers = [...scim.keys()].filter((id) => !written(ctx, id) && !hidden.has(id));
    offset = 0;
  }
  const rest = ctx.state.leftovers;
  const rows: Resource[] = [];
  for (const id of rest.slice(offset, offset + LEFTOVER_BATCH)) {
    try {
      const u = await ctx.client.userInfo(id);
      // Under its home workspace when the sync has it, else the first (as the Go connector puts every SCIM user).
      const home = [u.team_id, u.profile.team].find((t) => t !== undefined && teams.includes(t)) ?? teams[0]!;
      rows.push(userResource(u, resourceId(workspaceType.id, home), scimStatus(scim, id)));
    } catch (err) {
      // The Go connector fails the page here; one user the bot cannot see should not fail the run.
      if (!(err instanceof SlackApiError && err.code === 'user_not_found')) throw err;
      ctx.state.markHidden(id);
      ctx.runtime.log('slack: SCIM user not visible to the bot token, skipped', { userId: id });
    }
  }
  const next = offset + LEFTOVER_BATCH;
  if (next < rest.length) return { rows, nextPageToken: `x:${ctx.state.epoch}:${next}` };
  ctx.state.leftovers = undefined;
  return { rows };
}

export function userSyncer(ctx: SlackContext): ResourceSyncer {
  return {
    resourceType: userType,
    async list(parent, pageToken) {
      // Workspaces announce users as their child type (as in Go), but one chain lists every workspace's users.
      if (parent) return { rows: [] };
      return listUsers(ctx, pageToken);
    },
    async entitlements() {
      return { rows: [] };
    },
    async grants() {
      return { rows: [] };
    },
  };
}
