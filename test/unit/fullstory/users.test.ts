// Mapping and paging of both syncers against stub clients (no HTTP): exact rows from the mapping rules.
import { describe, expect, it } from 'vitest';
import type { ApiUsers, EndUser, ScimPage, ScimUser, ScimUsers } from '../../../lambdas/fullstory/client.ts';
import { endUserSyncer, scimUserSyncer, userResourceType } from '../../../lambdas/fullstory/resources/user.ts';
import { ResourceType_Trait, SkipEntitlementsAndGrantsSchema } from '../../../shared/c1z/messages.ts';
import { ConnectorError, type ConnectorRuntime, type ResourceSyncer } from '../../../shared/sync/connector.ts';
import { findAnnotation } from '../../../shared/sync/model.ts';
import { memoryState } from '../../../shared/sync/runtime.ts';
import { EXPECTED_API_ROWS, EXPECTED_SCIM_ROWS, FIXED_TENANT } from './fixtures.ts';
import { toRow } from './rows.ts';

interface ScimStub extends ScimUsers {
  calls: { startIndex: number; count: number }[];
}

/** Serves `seats` in pages of at most `cap`; `page` may rewrite a response (faults). */
function scimStub(seats: ScimUser[], cap: number, page?: (p: ScimPage, startIndex: number) => ScimPage): ScimStub {
  const calls: { startIndex: number; count: number }[] = [];
  return {
    calls,
    async listUsers(startIndex, count) {
      calls.push({ startIndex, count });
      const out = { rows: seats.slice(startIndex - 1, startIndex - 1 + Math.min(count, cap)), totalResults: seats.length };
      return page ? page(out, startIndex) : out;
    },
  };
}

function logRuntime(lines: string[]): ConnectorRuntime {
  return {
    hasResource: () => false,
    state: memoryState(),
    http: () => {
      throw new Error('no HTTP in unit tests');
    },
    log: (m) => lines.push(m),
  };
}

async function listAll(syncer: ResourceSyncer, maxPages = 1000) {
  const rows = [];
  let token: string | undefined;
  for (let i = 0; i < maxPages; i++) {
    const page = await syncer.list(undefined, token);
    rows.push(...page.rows);
    token = page.nextPageToken || undefined;
    if (!token) return rows;
  }
  throw new Error(`still paging after ${maxPages} pages`);
}

describe('fullstory user resource type', () => {
  it('is `user`, USER trait, SkipEntitlementsAndGrants', () => {
    expect(userResourceType.id).toBe('user');
    expect(userResourceType.displayName).toBe('User');
    expect(userResourceType.traits).toEqual([ResourceType_Trait.USER]);
    expect(findAnnotation(userResourceType.annotations, SkipEntitlementsAndGrantsSchema)).toBeDefined();
  });
});

describe('fullstory SCIM mode: rows', () => {
  it('maps the fixed org to the exact expected rows (ids, name fallbacks, email choice, login, status, profile)', async () => {
    const client = scimStub(FIXED_TENANT.seats, 100);
    const rows = (await listAll(scimUserSyncer({ client, runtime: logRuntime([]) }))).map(toRow);
    expect(rows).toEqual(EXPECTED_SCIM_ROWS);
  });

  it('has no entitlements or grants', async () => {
    const syncer = scimUserSyncer({ client: scimStub([], 100), runtime: logRuntime([]) });
    const [r] = await listAll(scimUserSyncer({ client: scimStub(FIXED_TENANT.seats, 100), runtime: logRuntime([]) }));
    expect(await syncer.entitlements(r!, undefined)).toEqual({ rows: [] });
    expect(await syncer.grants(r!, undefined)).toEqual({ rows: [] });
  });
});

describe('fullstory SCIM mode: paging', () => {
  it('asks for count=100 from startIndex 1 and advances by what the server returned (short pages)', async () => {
    const client = scimStub(FIXED_TENANT.seats, 3);
    const rows = await listAll(scimUserSyncer({ client, runtime: logRuntime([]) }));
    expect(rows.map((r) => r.id?.resource)).toEqual(EXPECTED_SCIM_ROWS.map((r) => r.id));
    // 7 users in pages of 3: 1-3, 4-6, 7; 1 + 3 + 3 = 7 ≤ 7 so a page at 7, then 8 > 7 stops.
    expect(client.calls).toEqual([
      { startIndex: 1, count: 100 },
      { startIndex: 4, count: 100 },
      { startIndex: 7, count: 100 },
    ]);
  });

  it('stops on totalResults when the last page is full', async () => {
    const client = scimStub(FIXED_TENANT.seats.slice(0, 6), 3);
    await listAll(scimUserSyncer({ client, runtime: logRuntime([]) }));
    expect(client.calls.map((c) => c.startIndex)).toEqual([1, 4]);
  });

  it('an overstated totalResults ends at the first empty page instead of looping (the Go bug)', async () => {
    const client = scimStub(FIXED_TENANT.seats, 3, (p) => ({ ...p, totalResults: 1000 }));
    const rows = await listAll(scimUserSyncer({ client, runtime: logRuntime([]) }), 20);
    expect(rows).toHaveLength(7);
    expect(client.calls.map((c) => c.startIndex)).toEqual([1, 4, 7, 8]);
  });

  it('an empty page stops the listing even when totalResults says there is more', async () => {
    const client = scimStub(FIXED_TENANT.seats, 3, (p, s) => (s === 4 ? { ...p, rows: [] } : p));
    const rows = await listAll(scimUserSyncer({ client, runtime: logRuntime([]) }), 20);
    expect(rows.map((r) => r.id?.resource)).toEqual(['s-001', 's-002', 's-003']);
  });

  it('a missing totalResults pages on until an empty page and logs one warning', async () => {
    const lines: string[] = [];
    const client = scimStub(FIXED_TENANT.seats, 3, (p) => ({ ...p, totalResults: undefined }));
    const rows = await listAll(scimUserSyncer({ client, runtime: logRuntime(lines) }), 20);
    expect(rows).toHaveLength(7);
    expect(client.calls.map((c) => c.startIndex)).toEqual([1, 4, 7, 8]);
    expect(lines).toEqual(['fullstory: SCIM list response has no totalResults; paging until an empty page']);
  });

  it('an empty org is one call and no rows', async () => {
    const client = scimStub([], 50);
    expect(await listAll(scimUserSyncer({ client, runtime: logRuntime([]) }))).toEqual([]);
    expect(client.calls).toHaveLength(1);
  });

  it('a page token that is not a startIndex fails with a ConnectorError', async () => {
    const syncer = scimUserSyncer({ client: scimStub(FIXED_TENANT.seats, 3), runtime: logRuntime([]) });
    await expect(syncer.list(undefined, 'abc')).rejects.toThrow(ConnectorError);
    await expect(syncer.list(undefined, '0')).rejects.toThrow(/fullstory \(scim mode\): page token "0" is not a SCIM startIndex/);
  });
});

function apiStub(users: EndUser[], pageSize: number, lastToken: null | '' | undefined = undefined): ApiUsers & { tokens: (string | undefined)[] } {
  const tokens: (string | undefined)[] = [];
  return {
    tokens,
    async listUsers(pageToken) {
      tokens.push(pageToken);
      const offset = pageToken ? Number(pageToken.slice(1)) : 0;
      const next = offset + pageSize;
      return { rows: users.slice(offset, next), nextPageToken: next < users.length ? `p${next}` : (lastToken ?? undefined) || undefined };
    },
  };
}

describe('fullstory API-key mode', () => {
  it('maps the fixed end-users to the exact expected rows (id not uid, empty fields kept or dropped per spec)', async () => {
    const rows = (await listAll(endUserSyncer({ client: apiStub(FIXED_TENANT.endUsers as EndUser[], 100), runtime: logRuntime([]) }))).map(toRow);
    expect(rows).toEqual(EXPECTED_API_ROWS);
  });

  it('pages by page_token until next_page_token runs out', async () => {
    const client = apiStub(FIXED_TENANT.endUsers as EndUser[], 2);
    const rows = await listAll(endUserSyncer({ client, runtime: logRuntime([]) }));
    expect(rows).toHaveLength(5);
    expect(client.tokens).toEqual([undefined, 'p2', 'p4']);
  });

  it('a server that hands back the token it was given fails instead of looping', async () => {
    const client: ApiUsers = { listUsers: async (t) => ({ rows: [], nextPageToken: t ?? 'same' }) };
    const syncer = endUserSyncer({ client, runtime: logRuntime([]) });
    const first = await syncer.list(undefined, undefined);
    await expect(syncer.list(undefined, first.nextPageToken)).rejects.toThrow(/fullstory \(apikey mode\): .*same next_page_token/);
  });
});
