// The CLI dies with its caller: a SIGTERM to `npx baton-serverless …` (what a supervisor or a
// parent's child.kill() sends) ends npm but not the `sh -c` it runs the bin under, so the real
// process must notice on its own, clean up as for a direct signal and leave --out as it was.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateTenant, type RunningSlackSim, startSlackSim } from '../../../lambdas/slack/sim/index.ts';
import { cli, ROOT } from '../../support/cli.ts';
import { tempDir } from '../../support/tmp.ts';

/** Pids of live processes whose command line contains `fragment` (Linux /proc). */
function processesWith(fragment: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmd.includes(fragment) && state !== 'Z') out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

async function until(what: string, check: () => boolean): Promise<void> {
  // A bound far beyond any machine's need, so a hang fails the test instead of stalling the run.
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting until ${what}`);
}

function npx(args: string[], env: Record<string, string>) {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BATON_') && !k.startsWith('AWS_')));
  const child = spawn('npx', ['--no-install', 'baton-serverless', ...args], {
    cwd: ROOT,
    env: { ...base, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { text: '' };
  child.stdout.on('data', (d) => (output.text += d));
  child.stderr.on('data', (d) => (output.text += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, exited, output };
}

let sim: RunningSlackSim;
beforeAll(async () => {
  // Big enough, at Slack's real Tier 2 limit, that the sync is still running when its caller dies.
  sim = await startSlackSim({ tenant: generateTenant({ seed: 3, users: 30_000 }), rateLimits: 'real' });
});
afterAll(async () => sim.server.close());

describe('killing npx', () => {
  it('sync: the real process stops, removes its work folder, and the previous --out stays byte-identical', async () => {
    const dir = tempDir();
    const out = join(dir, 'slack.c1z');
    const previous = Buffer.from('the previous sync, untouched');
    writeFileSync(out, previous);
    const run = npx(['sync', 'slack', '--out', out], sim.config);
    await until('the sync has made its work folder', () => readdirSync(dir).some((f) => f.includes('.work-')));
    expect(processesWith(out).length).toBeGreaterThan(0);
    run.child.kill('SIGTERM');
    await run.exited;
    await until('no process works on the output any more', () => processesWith(out).length === 0);
    expect(readdirSync(dir)).toEqual(['slack.c1z']);
    expect(readFileSync(out).equals(previous)).toBe(true);
  });

  it('webhook: the server stops with its caller', async () => {
    const small = await startSlackSim({ tenant: generateTenant({ seed: 4, users: 20 }), rateLimits: 'off' });
    try {
      const c1z = join(tempDir(), 'slack.c1z');
      expect((await cli(['sync', 'slack', '--out', c1z], small.config)).code).toBe(0);
      const run = npx(['webhook', 'slack', '--tenant', 'caller-test.conductor.one', '--c1z', c1z], small.config);
      const server = () =>
        processesWith('caller-test.conductor.one').filter((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('bin/baton-serverless'));
      await until('the webhook listens', () => run.output.text.includes('provisioning webhook at'));
      expect(server().length).toBeGreaterThan(0);
      run.child.kill('SIGTERM');
      await run.exited;
      await until('the webhook process is gone', () => server().length === 0);
    } finally {
      await small.server.close();
    }
  });
});
