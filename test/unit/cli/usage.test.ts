// Help, version and usage errors, run in-process through main() with stdout captured.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../../bin/cli/commands.ts';
import { main } from '../../../bin/cli/main.ts';
import { Output } from '../../../bin/cli/output.ts';
import { connectorConfigFields } from '../../../lambdas/index.ts';

async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stream = new PassThrough();
  let stdout = '';
  stream.on('data', (d) => (stdout += d));
  const errs: string[] = [];
  const code = await main(argv, { out: new Output(stream), err: (s) => errs.push(s) });
  return { code, stdout, stderr: errs.join('\n') };
}

describe('help', () => {
  it.each([['--help'], ['-h'], ['help']])('%s prints every command, exit 0', async (flag) => {
    const r = await run(flag);
    expect(r.code).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(`  ${c.spec.name}`);
  });

  it('no command: the help on stderr, exit 2', async () => {
    const r = await run();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('usage: baton-serverless <command>');
  });

  it.each(COMMANDS.map((c) => [c.spec.name]))('%s --help, -h and help %s show every option of its definition', async (name) => {
    const spec = COMMANDS.find((c) => c.spec.name === name)!.spec;
    for (const argv of [
      [name, '--help'],
      [name, '-h'],
      ['help', name],
      [name, '--bogus', '--help'],
    ]) {
      const r = await run(...argv);
      expect(r.code, argv.join(' ')).toBe(0);
      for (const option of Object.keys(spec.options)) expect(r.stdout).toContain(`--${option}`);
    }
  });

  it('the options people missed are documented', async () => {
    expect((await run('inspect', '--help')).stdout).toMatch(/--sync-id[\s\S]*--max-decoded-mb/);
    const sim = (await run('sim', '--help')).stdout;
    expect(sim).toContain('--seed');
    expect(sim).toContain('--set KEY=VALUE');
    const sync = (await run('sync', '--help')).stdout;
    for (const key of ['BATON_TOKEN', 'BATON_BUSINESS_PLUS_TOKEN', 'BATON_SCIM_TOKEN', 'BATON_REGION', 'AWS_PROFILE']) expect(sync).toContain(key);
  });

  it("sync --help lists every connector's keys with the help its schema gives them", async () => {
    const help = (await run('sync', '--help')).stdout;
    const lines = help.split('\n');
    for (const { connector, fields } of connectorConfigFields()) {
      expect(fields.length, connector).toBeGreaterThan(0);
      for (const f of fields) {
        expect(f.help, `${connector} ${f.key} has help`).not.toBe('');
        expect(
          lines.some((l) => l.includes(f.key) && l.includes(`${connector}: ${f.help}`)),
          `${connector} ${f.key}`,
        ).toBe(true);
      }
    }
    // Required keys say so.
    expect(help).toMatch(/BATON_TOKEN +slack: .*\(required\)/);
  });

  it('--version prints the package version', async () => {
    const r = await run('--version');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^baton-serverless \d+\.\d+\.\d+ \(node v24/);
  });
});

describe('usage errors exit 2 with a message about this command', () => {
  it.each([
    [['bogus'], /unknown command "bogus"/],
    [['help', 'bogus'], /unknown command "bogus"/],
    [['grants', '--bogus'], /grants: unknown option --bogus[\s\S]*baton-serverless grants --help/],
    [['grants', '-f'], /grants: -f.* needs a value|argument missing/],
    [['resources', 'extra-arg'], /resources: unexpected argument extra-arg/],
    [['sync'], /sync: name one connector/],
    [['sync', 'slack'], /--out FILE is required/],
    [['sync', 'github', '--out', 'x.c1z'], /unknown connector "github"/],
    [['demo', '--users', 'abc'], /demo: --users takes a whole number from 1 to 10000000, not "abc"/],
    [['demo', '--users', '0'], /--users takes a whole number/],
    [['sim', 'slack', '--port', 'abc'], /sim: --port takes a whole number from 0 to 65535, not "abc"/],
    [['sim', 'slack', '--port', '70000'], /--port takes a whole number from 0 to 65535/],
    [['sim', 'slack', '--users', 'abc'], /sim: --users takes a whole number from 1 to 10000000, not "abc"/],
    [['sim', 'slack', '--seed', '1.5'], /--seed takes a whole number/],
    [['sim', 'slack', '--rate-limits', 'fast'], /--rate-limits takes real, off or a positive time scale, not "fast"/],
    [['sim', 'slack', '--set', 'bogus'], /--set takes KEY=VALUE, not "bogus"; slack keys: groups/],
    [['sim', 'slack', '--set', 'nope=1'], /slack has no setting "nope"; its keys: groups \(number\)/],
    [['sim', 'slack', '--set', 'mode=enterprise'], /--set mode takes one of pro, business/],
    [['sim', 'slack', '--set', 'groups=many'], /--set groups takes a whole number/],
    [['sim', 'fullstory', '--set', 'gov=true'], /fullstory has no setting "gov"/],
    [['inspect', 'a', 'b'], /inspect: give exactly one FILE/],
    [['inspect', 'f', '--grants', '--resources'], /choose one of/],
  ])('%j', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
