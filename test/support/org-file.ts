// A small org written as a finished c1z: users by index, groups with their members. For tests that
// compare two syncs (drift, the shrink guard, diff).

import { C1zWriter } from '../../shared/c1z/writer.ts';
import { GROUP_TYPE, group, memberEntitlement, membership, USER_TYPE, user } from './tenant.ts';

export interface Org {
  users: number[];
  /** Group index → member user indexes. */
  groups: Record<number, number[]>;
}

export async function writeOrg(file: string, org: Org): Promise<void> {
  const w = C1zWriter.create(`${file}.db`);
  w.startSync();
  w.putResourceTypes([USER_TYPE, GROUP_TYPE]);
  w.putResources(org.users.map(user));
  for (const [g, members] of Object.entries(org.groups)) {
    const res = group(Number(g));
    w.putResources([res]);
    w.putEntitlements([memberEntitlement(res)]);
    w.putGrants(members.map((u) => membership(res, u)));
  }
  w.endSync();
  await w.finish(file);
}

export const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
