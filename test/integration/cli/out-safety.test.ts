// `sync --out` never replaces what is not a regular file, never creates folders it was not asked
// to, refuses before any API call, and Ctrl-C leaves no work folder behind.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, type RunningSlackSim, startSlackSim } from '../../../lambdas/slack/sim/index.ts';
import { cli, startCli } from '../../support/cli.ts';
import { tempDir } from '../../support/tmp.ts';

let sim: RunningSlackSim;
beforeAll(async () => {
  sim = await startSlackSim({ tenant: generateTenant({ seed: 2, users: 30 }), rateLimits: 'off' });
});
afterAll(async () => sim.server.close());

const env = () => sim.config;

/** A character device of our own when we may create one (root), else undefined. */
function charDevice(dir: string): string | undefined {
  const p = join(dir, 'null-like');
  const r = spawnSync('mknod', [p, 'c', '1', '3']);
  return r.status === 0 && statSync(p).isCharacterDevice() ? p : undefined;
}

describe('sync --out refuses what it must not replace', () => {
  it('a character device: exit 2, named, still a device, no API call', async () => {
    const dir = tempDir();
    const dev = charDevice(dir) ?? '/dev/null';
    const before = sim.server.calls.length;
    const r = await cli(['sync', 'slack', '--out', dev], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--out ${dev} is a character device`);
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
    expect(sim.server.calls.length).toBe(before);
  });

  it('a FIFO, a directory and a symlink to a device: exit 2 each, untouched', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'pipe');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const folder = join(dir, 'folder');
    mkdirSync(folder);
    writeFileSync(join(folder, 'keep.txt'), 'keep');
    const link = join(dir, 'link');
    symlinkSync('/dev/null', link);
    for (const [target, what] of [
      [fifo, 'a named pipe (FIFO)'],
      [folder, 'a directory'],
      [link, 'a symbolic link to a character device'],
    ] as const) {
      const r = await cli(['sync', 'slack', '--out', target], env());
      expect(r.code, target).toBe(2);
      expect(r.stderr).toContain(`is ${what}`);
    }
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readFileSync(join(folder, 'keep.txt'), 'utf8')).toBe('keep');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
  });

  it('a missing parent folder: exit 2, says to create it, creates nothing', async () => {
    const dir = tempDir();
    const out = join(dir, 'no', 'such', 'x.c1z');
    const r = await cli(['sync', 'slack', '--out', out], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`folder ${join(dir, 'no', 'such')} does not exist; create it first`);
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });

  it('an existing regular file is replaced by the new c1z, and no work folder is left', async () => {
    const dir = tempDir();
    const out = join(dir, 'slack.c1z');
    writeFileSync(out, 'old');
    const r = await cli(['sync', 'slack', '--out', out, '--json'], env());
    expect(r.code).toBe(0);
    expect(readFileSync(out).subarray(0, 4).toString()).toBe('C1ZF');
    expect(readdirSync(dir)).toEqual(['slack.c1z']);
  });
});

describe('sync --out and the smaller refusals', () => {
  it('a write-protected file: refused (exit 2, untouched, no API call) unless --replace-read-only, which keeps it protected', async () => {
    const dir = tempDir();
    const out = join(dir, 'slack.c1z');
    writeFileSync(out, 'old');
    chmodSync(out, 0o444);
    const before = sim.server.calls.length;
    const refused = await cli(['sync', 'slack', '--out', out], env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`--out ${out} is write-protected (mode 0444); pass --replace-read-only to replace it`);
    expect(readFileSync(out, 'utf8')).toBe('old');
    expect(sim.server.calls.length).toBe(before);
    const replaced = await cli(['sync', 'slack', '--out', out, '--replace-read-only', '--json'], env());
    expect(replaced.code).toBe(0);
    expect(readFileSync(out).subarray(0, 4).toString()).toBe('C1ZF');
    expect(statSync(out).mode & 0o777).toBe(0o444);
  });

  it('--out "": one line saying a path is needed, not "a directory"', async () => {
    const r = await cli(['sync', 'slack', '--out', ''], env());
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('baton-serverless: --out needs a file path, not an empty string');
  });
});

describe('work folders of killed runs', () => {
  it('the next run to the same --out removes the folder a SIGKILLed run left, and only that one', async () => {
    const dir = tempDir();
    const out = join(dir, 'slack.c1z');
    const dead = join(dir, '.slack.c1z.work-killed');
    mkdirSync(join(dead, 'some-sync-id'), { recursive: true });
    // A pid no process has: the run that made the folder is gone.
    writeFileSync(join(dead, 'owner.pid'), '2147483646\n');
    const live = join(dir, '.slack.c1z.work-running');
    mkdirSync(live);
    writeFileSync(join(live, 'owner.pid'), `${process.pid}\n`);
    const r = await cli(['sync', 'slack', '--out', out], env());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`removed 1 work folder an earlier, killed run to ${out} left behind`);
    expect(readdirSync(dir).sort()).toEqual(['.slack.c1z.work-running', 'slack.c1z']);
  });
});

describe('interrupting a sync', () => {
  it('SIGINT: exit 130, no work folder, no output file', async () => {
    // Enough users.list pages (1000 each) to outlast Tier 2's burst of 20: the run is mid-sync for minutes.
    const slow = await startSlackSim({ tenant: generateTenant({ seed: 3, users: 30_000 }), rateLimits: 'real' });
    try {
      const dir = tempDir();
      const out = join(dir, 'slack.c1z');
      const run = startCli(['sync', 'slack', '--out', out], { ...slow.config });
      // Wait (however long the CLI takes to start) until the run has made its first API call: its
      // work folder exists and its signal handlers are in place, so it is mid-sync. Then interrupt.
      while (slow.server.calls.length === 0 && run.child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
      expect(readdirSync(dir).some((f) => f.includes('.work-'))).toBe(true);
      run.child.kill('SIGINT');
      const r = await run.done;
      expect(r.code).toBe(130);
      expect(r.stderr).toContain('interrupted by SIGINT');
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      await slow.server.close();
    }
  });
});
