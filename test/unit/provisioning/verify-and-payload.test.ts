// The pure parts of the endpoint: digest header forms, the replay store, payload shapes and user
// matching (ambiguity is refused, not guessed).
import { describe, expect, it } from 'vitest';
import { type Entitlement, type Resource, type ResourceType, ResourceType_Trait } from '../../../shared/c1z/messages.ts';
import { ProvisionRefused } from '../../../shared/provisioning/failure.ts';
import { PayloadError, parseProvisionTask } from '../../../shared/provisioning/payload.ts';
import { MemoryReplayStore } from '../../../shared/provisioning/replay.ts';
import { entitlementCandidates, findPrincipal, matchAppUser, type SyncedRows } from '../../../shared/provisioning/resolve.ts';
import { contentDigest, sha256Base64 } from '../../../shared/provisioning/verify.ts';
import { profile, resource, resourceType, userTrait } from '../../../shared/sync/model.ts';
import { provisionBody } from '../../integration/provisioning/harness.ts';

describe('Content-Digest', () => {
  const d = sha256Base64(Buffer.from('{}'));
  it('reads the documented form, RFC 9530 colons, and among other algorithms', () => {
    expect(contentDigest(`sha-256=${d}`)).toBe(d);
    expect(contentDigest(`sha-256=:${d}:`)).toBe(d);
    expect(contentDigest(`sha-512=:abc=:, sha-256=:${d}:`)).toBe(d);
    expect(contentDigest('md5=abc')).toBeUndefined();
    expect(contentDigest(undefined)).toBeUndefined();
  });
});

describe('MemoryReplayStore', () => {
  it('claims once, forgets after expiry', async () => {
    let now = 1000;
    const store = new MemoryReplayStore(() => now);
    expect(await store.claim('a', 2000)).toBe(true);
    expect(await store.claim('a', 2000)).toBe(false);
    now = 3000;
    expect(await store.claim('a', 4000)).toBe(true);
  });
});

describe('provision payload', () => {
  const payloadOf = (body: string) => (JSON.parse(body) as { payload: Record<string, unknown> }).payload;

  it('reads the task flattened or nested, with the entitlement ids', () => {
    for (const nested of [false, true]) {
      const task = parseProvisionTask(payloadOf(provisionBody({ action: 'revoke', entitlementId: 'group:g1:member', appUser: { email: 'a@b.c' }, nested })));
      expect(task).toMatchObject({ action: 'revoke', taskId: 'task-1', appUser: { id: 'au-1', email: 'a@b.c' } });
      expect(entitlementCandidates(task.appEntitlement)).toEqual(['group:g1:member']);
    }
  });

  it('refuses other task kinds and payloads without a task', () => {
    expect(() => parseProvisionTask(payloadOf(provisionBody({ action: 'certify', entitlementId: 'x:y:z', appUser: {} })))).toThrow(PayloadError);
    expect(() => parseProvisionTask({ '@type': 'x' })).toThrow(/no taskView/);
  });

  it('tries matchBatonId and externalId after sourceConnectorIds, once each', () => {
    expect(entitlementCandidates({ sourceConnectorIds: { a: 'x:1:m', b: 'x:1:m' }, matchBatonId: 'y:2:m', externalId: '' })).toEqual(['x:1:m', 'y:2:m']);
  });
});

describe('matching an AppUser to a synced user', () => {
  const userType = resourceType({ id: 'user', displayName: 'User', traits: [ResourceType_Trait.USER] });
  const user = (id: string, email: string, login?: string) =>
    resource({
      type: 'user',
      id,
      displayName: id,
      annotations: [userTrait({ emails: [{ address: email, primary: true }], login, profile: profile({ user_id: id }) })],
    });
  const users = [user('u1', 'ada@example.com'), user('u2', 'shared@example.com', 'grace'), user('u3', 'Shared@example.com')];
  const rows: SyncedRows = {
    resourceTypes: () => [userType] as ResourceType[],
    resources: (f) => users.filter((u) => !f?.resourceType || u.id?.resourceType === f.resourceType) as Resource[],
    entitlements: () => [] as Entitlement[],
  };

  it('prefers the profile user_id, then email (case-insensitive), then username', () => {
    expect(matchAppUser(rows, { profile: { user_id: 'u3' }, email: 'ada@example.com' }).id?.resource).toBe('u3');
    expect(matchAppUser(rows, { email: 'ADA@example.com' }).id?.resource).toBe('u1');
    expect(matchAppUser(rows, { username: 'grace' }).id?.resource).toBe('u2');
  });

  it('refuses an ambiguous or missing match', () => {
    expect(() => matchAppUser(rows, { email: 'shared@example.com' })).toThrow(/matches 2 synced users by email/);
    expect(() => matchAppUser(rows, { email: 'nobody@example.com' })).toThrow(ProvisionRefused);
  });

  it('finds a principal by typed or bare id', () => {
    expect(findPrincipal(rows, 'user:u2')?.id?.resource).toBe('u2');
    expect(findPrincipal(rows, 'u1')?.id?.resource).toBe('u1');
    expect(findPrincipal(rows, 'group:u1')).toBeUndefined();
  });
});
