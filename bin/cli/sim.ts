// `baton-serverless sim <app>`: runs one app simulator in the foreground for manual syncs.
import { parseArgs } from 'node:util';
import { connectorName, connectorNames, loadSimulator } from './registry.ts';
import { UsageError } from './usage.ts';

export async function simCommand(argv: string[], out: (s: string) => void): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string', default: '0' },
      users: { type: 'string' },
      seed: { type: 'string', default: '1' },
      'rate-limits': { type: 'string', default: 'real' },
      set: { type: 'string', multiple: true },
    },
  });
  if (positionals.length !== 1) throw new UsageError(`usage: baton-serverless sim <${connectorNames.join('|')}> [--port N] [--users N] [--seed N] [--rate-limits real|off|SCALE] [--set key=value ...]`);
  const sim = await loadSimulator(connectorName(positionals[0]));
  const rl = values['rate-limits']!;
  const rateLimits = rl === 'real' || rl === 'off' ? rl : Number(rl);
  if (typeof rateLimits === 'number' && !(rateLimits > 0)) throw new UsageError('sim: --rate-limits takes real, off or a positive time scale');
  const extra: Record<string, string | number | boolean> = {};
  for (const kv of values.set ?? []) {
    const [k, ...v] = kv.split('=');
    const value = v.join('=');
    extra[k!] = value === 'true' ? true : value === 'false' ? false : /^\d+$/.test(value) ? Number(value) : value;
  }
  const running = await sim.start({
    port: Number(values.port),
    seed: Number(values.seed),
    users: values.users === undefined ? undefined : Number(values.users),
    rateLimits,
    extra,
  });
  out(`${sim.name} simulator listening on ${running.server.url}`);
  if (running.expected) out(`tenant: ${JSON.stringify(running.expected)}`);
  out('sync it from another shell with:');
  out(`  ${Object.entries(running.config).map(([k, v]) => `${k}=${v}`).join(' ')} npx baton-serverless sync ${sim.name} --out ${sim.name}.c1z`);
  out('Ctrl-C stops it.');
  await new Promise<void>((resolve) => {
    const stop = () => void running.server.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
