// What the Grid connector keeps in the connector state between pages and slices: the role scan's
// holders page by page (each holder once, whole only after the last page, consumed by the grants),
// and a value it did not write is refused naming the key.
import { describe, expect, it } from 'vitest';
import { GridState } from '../../../lambdas/slack-enterprise/state.ts';
import { memoryState } from '../../../shared/sync/runtime.ts';

const holders = (entries: Record<string, string[]>) => new Map(Object.entries(entries).map(([role, ids]) => [role, new Set(ids)]));

describe('slack-enterprise: connector state', () => {
  it('role holders from several scan pages: each once, only once the scan is whole, and only once', () => {
    const state = new GridState(memoryState());
    state.startRoleScan(['Rl0L', 'Rl0C']);
    state.addRoleHolders(holders({ Rl0L: ['U1', 'U2'], Rl0C: ['U3'] }));
    // U2 holds Rl0L on a second entity, listed on a later page.
    state.addRoleHolders(holders({ Rl0L: ['U2', 'U4'] }));
    expect(state.takeRoleHolders('Rl0L')).toBeUndefined();
    state.completeRoleScan();
    expect(state.takeRoleHolders('Rl0L')).toEqual(['U1', 'U2', 'U4']);
    expect(state.takeRoleHolders('Rl0L')).toBeUndefined();
    expect(state.takeRoleHolders('Rl0C')).toEqual(['U3']);
  });

  it('a scan started again forgets what the earlier one found', () => {
    const state = new GridState(memoryState());
    state.startRoleScan(['Rl0L']);
    state.addRoleHolders(holders({ Rl0L: ['U1'] }));
    state.completeRoleScan();
    state.startRoleScan(['Rl0L']);
    state.addRoleHolders(holders({ Rl0L: ['U9'] }));
    expect(state.takeRoleHolders('Rl0L')).toBeUndefined();
    state.completeRoleScan();
    expect(state.takeRoleHolders('Rl0L')).toEqual(['U9']);
  });

  it('member lists, workspace names and the token check survive in the store alone', () => {
    const store = memoryState();
    const first = new GridState(store);
    first.putMembers('ug:S1', ['U1', 'U2']);
    first.putWorkspaceName('T1', 'Acme');
    first.markTokensChecked('E1');
    // A resumed slice: a new object over the same stored values.
    const next = new GridState(store);
    expect(next.members('ug:S1')).toEqual(['U1', 'U2']);
    expect(next.workspaceName('T1')).toBe('Acme');
    expect(next.tokensCheckedFor()).toBe('E1');
    next.dropMembers('ug:S1');
    expect(next.members('ug:S1')).toBeUndefined();
  });

  it('a stored value of the wrong shape is refused, naming the key', () => {
    const store = memoryState();
    store.set('idp:G1', JSON.stringify({ members: 3 }));
    expect(() => new GridState(store).members('idp:G1')).toThrow('slack-enterprise: connector state "idp:G1" is not what this connector writes there');
  });
});
