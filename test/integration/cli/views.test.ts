// The baton-compatible views and diff, against the baton-sdk fixtures: baton's JSON shapes (so jq
// scripts keep working), its filters, and usage errors that say what is wrong.
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { C1zWriter } from '../../../shared/c1z/writer.ts';
import { resource, resourceType } from '../../../shared/sync/model.ts';
import { cli, FINISHED, UNFINISHED } from '../../support/cli.ts';
import { tempDir } from '../../support/tmp.ts';

describe('baton views', () => {
  it('resources -o json: .resources[] of {resource, resourceType, parent?}', async () => {
    const r = await cli(['resources', '-f', FINISHED, '-o', 'json', '-t', 'user']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.resources).toHaveLength(1000);
    expect(doc.resources[0].resource.displayName).toBe('User 0000000');
    expect(doc.resources[0].resource.id).toEqual({ resourceType: 'user', resource: 'user-0000000' });
    expect(doc.resources[0].resourceType).toMatchObject({ id: 'user', displayName: 'User', traits: ['TRAIT_USER'] });
  });

  it('grants -o json: .grants[] of {grant, entitlement, resource, resourceType, principal}, filtered by -e', async () => {
    const r = await cli(['grants', '-f', FINISHED, '-o', 'json', '-e', 'project:project-0000099:owner']);
    expect(r.code).toBe(0);
    const { grants } = JSON.parse(r.stdout);
    expect(grants.length).toBeGreaterThan(0);
    for (const g of grants) {
      expect(g.grant.entitlement.id).toBe('project:project-0000099:owner');
      expect(Object.keys(g).sort()).toEqual(['entitlement', 'grant', 'principal', 'resource', 'resourceType']);
      expect(g.principal.id.resourceType).toBeTypeOf('string');
      expect(g.resourceType.id).toBe('project');
    }
  });

  it('grants -t -r narrows to one resource; table has baton columns', async () => {
    const r = await cli(['grants', '-f', FINISHED, '-t', 'group', '-r', 'group-0000001']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+Resource Type\s+Resource\s+Entitlement\s+Principal$/);
    expect(lines.length).toBeGreaterThan(2);
    expect(lines.slice(2).every((l) => l.startsWith('group:group-0000001:'))).toBe(true);
  });

  it('default file is ./sync.c1z; entitlements, resource-types, stats, syncs read it', async () => {
    const dir = tempDir();
    copyFileSync(FINISHED, join(dir, 'sync.c1z'));
    const ents = JSON.parse((await cli(['entitlements', '-o', 'json', '-t', 'project'], {}, { cwd: dir })).stdout);
    expect(ents.entitlements).toHaveLength(200);
    expect(ents.entitlements[0]).toHaveProperty('entitlement.slug');
    const types = JSON.parse((await cli(['resource-types', '-o', 'json'], {}, { cwd: dir })).stdout);
    expect(types.resourceTypes.map((t: { resourceType: { id: string } }) => t.resourceType.id)).toEqual(['project', 'user', 'group', 'role']);
    const stats = await cli(['stats'], {}, { cwd: dir });
    // baton's three tables: the sync run, the totals, and per resource type.
    expect(stats.stdout).toMatch(/^Sync ID\s+36zfOAoWMxQdISbixanQCRBiX7E$/m);
    expect(stats.stdout).toMatch(/^Duration\s+2m11s$/m);
    expect(stats.stdout).toMatch(/^Grants\s+14981$/m);
    expect(stats.stdout).toMatch(/^Resource Types\s+4$/m);
    const run = JSON.parse((await cli(['stats', '-o', 'json'], {}, { cwd: dir })).stdout);
    expect(run).toMatchObject({ id: '36zfOAoWMxQdISbixanQCRBiX7E', syncType: 'full', stats: { resourceTypes: '4', grants: '14981' } });
    expect(Object.keys(run.stats.resourcesByResourceType).sort()).toEqual(['group', 'project', 'role', 'user']);
    const syncs = JSON.parse((await cli(['syncs', '-o', 'json'], {}, { cwd: dir })).stdout);
    expect(syncs.syncs).toEqual([
      {
        id: '36zfOAoWMxQdISbixanQCRBiX7E',
        startedAt: '2025-12-17T16:31:25.057185Z',
        endedAt: '2025-12-17T16:33:36.381422Z',
        syncToken: '{"needs_expansion":true}',
        syncType: 'full',
      },
    ]);
  });

  it('an unknown resource type is a usage error listing the known ones', async () => {
    const r = await cli(['resources', '-f', FINISHED, '-t', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('unknown resource type "nope"');
    expect(r.stderr).toContain('project, user, group, role');
  });

  it('a missing default file names the flag; -r without -t and a bad -o are usage errors', async () => {
    const missing = await cli(['grants'], {}, { cwd: tempDir() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/sync\.c1z: no such file .*-f FILE/);
    const noType = await cli(['grants', '-f', FINISHED, '-r', 'x']);
    expect(noType.code).toBe(2);
    expect(noType.stderr).toContain('needs -t');
    const badFormat = await cli(['resources', '-f', FINISHED, '-o', 'yaml']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain('-o takes console or json');
  });

  it('a closed pipe ends quietly (exit 0, no stack trace)', async () => {
    const { spawnSync } = await import('node:child_process');
    const { ROOT } = await import('../../support/cli.ts');
    const r = spawnSync(
      'sh',
      ['-c', `"${process.execPath}" "${join(ROOT, 'bin/baton-serverless.js')}" grants -f "${FINISHED}" | head -1; echo "rc=\${PIPESTATUS:-$?}"`],
      { encoding: 'utf8' },
    );
    const first = spawnSync(
      'sh',
      ['-c', `"${process.execPath}" "${join(ROOT, 'bin/baton-serverless.js')}" grants -f "${FINISHED}" | head -1 >/dev/null; exit 0`],
      { encoding: 'utf8' },
    );
    expect(r.stdout.split('\n')[0]).toMatch(/^ID\s+Resource Type/);
    expect(r.stderr).toBe('');
    expect(first.stderr).toBe('');
  });
});

describe('diff OLD NEW', () => {
  it('the same file: nothing added or removed', async () => {
    const r = await cli(['diff', FINISHED, FINISHED]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('grants: 0 added, 0 removed, 0 changed');
    expect(r.stdout).toContain('resources: 0 added, 0 removed, 0 changed');
  });

  it('two different files: counts on the console, baton C1ZDiffOutput in JSON', async () => {
    const text = await cli(['diff', FINISHED, UNFINISHED]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('resources: 13 added, 1155 removed, 66 changed');
    expect(text.stdout).toContain('grants: 0 added, 14981 removed, 0 changed');
    expect(text.stdout).toMatch(/^- grant group:group-0000006:member:user:user-0000580$/m);
    const json = JSON.parse((await cli(['diff', FINISHED, UNFINISHED, '-o', 'json'])).stdout);
    expect(Object.keys(json)).toEqual(['resources', 'entitlements', 'grants', 'drift']);
    // The per-type totals the Lambda publishes: added and removed (changed rows are neither).
    expect(json.drift.totals.resources).toEqual({ added: 13, removed: 1155 });
    expect(json.drift.totals.grants).toEqual({ added: 0, removed: 14981 });
    const perType = Object.values(json.drift.byResourceType as Record<string, { grants: { removed: number } }>);
    expect(perType.reduce((n, t) => n + t.grants.removed, 0)).toBe(14981);
    expect(json.resources.created).toHaveLength(13);
    expect(json.resources.deleted).toHaveLength(1155);
    expect(json.resources.modified).toHaveLength(66);
    expect(json.grants.deleted).toHaveLength(14981);
    expect(json.grants.created).toEqual([]);
    const back = JSON.parse((await cli(['diff', UNFINISHED, FINISHED, '-o', 'json'])).stdout);
    expect(back.grants.created).toHaveLength(14981);
    expect(back.resources.deleted).toHaveLength(13);
  });

  it('console lines escape control characters in ids and names (a display name cannot drive the terminal)', async () => {
    const dir = tempDir('diff-hostile-');
    const write = async (name: string, extra: boolean) => {
      const w = C1zWriter.create(join(dir, `${name}.db`));
      w.startSync();
      w.putResourceTypes([resourceType({ id: 'user', displayName: 'User' })]);
      w.putResources([resource({ type: 'user', id: 'U1', displayName: 'One' })]);
      if (extra) w.putResources([resource({ type: 'user', id: 'U\u001b]0;owned\u0007', displayName: 'evil\u202e\u009b2J' })]);
      w.endSync();
      await w.finish(join(dir, `${name}.c1z`));
      return join(dir, `${name}.c1z`);
    };
    const r = await cli(['diff', await write('old', false), await write('new', true)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('+ resource user:U\\x1b]0;owned\\x07  "evil\\u202e\\x9b2J"');
    expect(r.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
  });

  it('needs exactly two files', async () => {
    const r = await cli(['diff', FINISHED]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('give two files, OLD and NEW');
  });
});
