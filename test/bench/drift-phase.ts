// Child process of the drift benchmark. `write DIR USERS GROUPS GRANTS previous|next`: one sync
// through the writer and the verification every sync ends with (timed), leaving its database as a
// sync's work folder does. `compare DIR`: what the Lambda adds before replacing the live file:
// decode the previous file, then the shrink guard and drift against the new sync's database in place.
import { join } from 'node:path';
import { C1zReader, openC1z } from '../../shared/c1z/reader.ts';
import { verifyPacked } from '../../shared/c1z/verify.ts';
import { C1zWriter } from '../../shared/c1z/writer.ts';
import { compareSyncs } from '../../shared/sync/compare-syncs.ts';
import { DEFAULT_SHRINK_POLICY } from '../../shared/sync/shrink-guard.ts';
import { group, memberEntitlement, membership, syntheticTenant, user } from '../support/tenant.ts';
import { peakRssMb } from './child.ts';

const [mode, dir, usersArg, groupsArg, grantsArg, variant] = process.argv.slice(2) as [string, string, string?, string?, string?, string?];

/** Hourly churn in the next sync: 1 % of the memberships end, one new user joins each group. */
const churn = variant === 'next';

async function write(): Promise<Record<string, number>> {
  const users = Number(usersArg);
  const groups = Number(groupsArg);
  const tenant = syntheticTenant(users, groups, Number(grantsArg));
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const w = C1zWriter.create(join(dir, `${variant}.db`));
  const syncId = w.startSync();
  w.putResourceTypes(tenant.resourceTypes);
  const total = churn ? users + groups : users;
  for (let i = 0; i < total; i += 500) w.putResources(Array.from({ length: Math.min(500, total - i) }, (_, k) => user(i + k)));
  let grants = 0;
  for (let g = 0; g < groups; g++) {
    const res = group(g);
    w.putResources([res]);
    w.putEntitlements([memberEntitlement(res)]);
    const members = churn ? [...tenant.members(g).filter((u) => (u + g) % 100 !== 0), users + g] : tenant.members(g);
    for (let i = 0; i < members.length; i += 500) w.putGrants(members.slice(i, i + 500).map((u) => membership(res, u)));
    grants += members.length;
  }
  const counts = w.endSync();
  const packed = await w.finish(join(dir, `${variant}.c1z`));
  // What every sync does before it hands the file on (run-sync.ts): a lower bound of the sync's time,
  // since a real sync's API calls come on top.
  await verifyPacked(join(dir, `${variant}.c1z`), join(dir, `${variant}.db`), packed, syncId, counts);
  return { seconds: (performance.now() - t0) / 1000, cpuSeconds: cpuSince(c0), grants, fileBytes: packed.bytes, dbBytes: packed.dbBytes };
}

async function compare(): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const previous = await openC1z(join(dir, 'previous.c1z'), { tmpDir: dir });
  const decodeSeconds = (performance.now() - t0) / 1000;
  const decodeCpuSeconds = cpuSince(c0);
  const next = C1zReader.openDatabase(join(dir, 'next.db'));
  const t1 = performance.now();
  const c = compareSyncs(previous, next, { policy: DEFAULT_SHRINK_POLICY });
  const compareSeconds = (performance.now() - t1) / 1000;
  previous.close();
  next.close();
  return {
    seconds: (performance.now() - t0) / 1000,
    cpuSeconds: cpuSince(c0),
    decodeSeconds,
    decodeCpuSeconds,
    compareSeconds,
    blocked: c.verdict.blocked,
    totals: c.drift?.totals,
  };
}

/** CPU seconds (every thread: zstd runs off the main one) since `from`: steadier than wall time on a shared machine. */
function cpuSince(from: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
}

const figures = mode === 'write' ? await write() : await compare();
process.send!({ ...figures, peakRssMb: peakRssMb() });
