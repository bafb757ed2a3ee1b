// `baton-serverless sim <app>`: runs one app simulator in the foreground for manual syncs.
import { SIM_FAULTS, type SimFaultKind, type SimFaultRequest, type SimSetting } from '../../shared/sim/kit.ts';
import type { Io } from './commands.ts';
import { connectorName, loadSimulator } from './registry.ts';
import { untilStopped } from './signals.ts';
import { intFlag, type Parsed } from './spec.ts';
import { UsageError } from './usage.ts';

type Extra = Record<string, string | number | boolean>;

export function parseSettings(app: string, pairs: string[], settings: Record<string, SimSetting>): Extra {
  const known = Object.keys(settings);
  const list = known.length > 0 ? known.map((k) => `${k} (${describe(settings[k]!)})`).join(', ') : '(none)';
  const extra: Extra = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`sim: --set takes KEY=VALUE, not ${JSON.stringify(pair)}; ${app} keys: ${list}`);
    const key = pair.slice(0, eq);
    const raw = pair.slice(eq + 1);
    const setting = settings[key];
    if (!setting) throw new UsageError(`sim: ${app} has no setting ${JSON.stringify(key)}; its keys: ${list}`);
    extra[key] = settingValue(key, raw, setting);
  }
  return extra;
}

function describe(s: SimSetting): string {
  if (s.kind === 'choice') return s.values.join('|');
  return s.kind;
}

function settingValue(key: string, raw: string, s: SimSetting): string | number | boolean {
  switch (s.kind) {
    case 'boolean':
      if (raw === 'true' || raw === 'false') return raw === 'true';
      throw new UsageError(`sim: --set ${key} takes true or false, not ${JSON.stringify(raw)}`);
    case 'choice':
      if (s.values.includes(raw)) return raw;
      throw new UsageError(`sim: --set ${key} takes one of ${s.values.join(', ')}, not ${JSON.stringify(raw)}`);
    case 'number':
      return intFlag('sim', `set ${key}`, raw, s.min ?? 0)!;
  }
}

const FAULT_USAGE = `KIND[:COUNT[:RETRY_AFTER_SECONDS]] with KIND one of ${Object.keys(SIM_FAULTS).join(', ')} and COUNT a number or "always"`;

/** `--fault 429:3:2` → the next 3 requests throttled asking for 2 s. */
export function parseFault(raw: string): SimFaultRequest {
  const [kind = '', count = '1', retry, ...rest] = raw.split(':');
  if (!(kind in SIM_FAULTS) || rest.length > 0) throw new UsageError(`sim: --fault takes ${FAULT_USAGE}, not ${JSON.stringify(raw)}`);
  const times = count === 'always' ? Number.POSITIVE_INFINITY : intFlag('sim', `fault ${kind}: COUNT`, count, 1)!;
  const request: SimFaultRequest = { kind: kind as SimFaultKind, count: times };
  if (retry !== undefined) {
    if (kind !== '429' && kind !== 'ratelimited') throw new UsageError(`sim: --fault ${kind} takes no Retry-After; only 429 and ratelimited do`);
    request.retryAfterSec = intFlag('sim', `fault ${kind}: RETRY_AFTER_SECONDS`, retry, 0, 3600)!;
  }
  return request;
}

function describeFault(f: SimFaultRequest): string {
  const times = f.count === Number.POSITIVE_INFINITY ? 'every request' : f.count === 1 ? 'the next request' : `the next ${f.count} requests`;
  const retry =
    f.retryAfterSec !== undefined ? ` (Retry-After ${f.retryAfterSec} s)` : f.kind === '429' || f.kind === 'ratelimited' ? ' (Retry-After 1 s)' : '';
  return `fault ${f.kind} for ${times}${retry}: ${SIM_FAULTS[f.kind]}`;
}

function rateLimitsOf(raw: string): 'real' | 'off' | number {
  if (raw === 'real' || raw === 'off') return raw;
  const n = Number(raw);
  if (raw.trim() !== '' && Number.isFinite(n) && n > 0) return n;
  throw new UsageError(`sim: --rate-limits takes real, off or a positive time scale, not ${JSON.stringify(raw)}`);
}

export async function simCommand(parsed: Parsed, io: Io): Promise<void> {
  const { values, positionals } = parsed;
  if (positionals.length !== 1) throw new UsageError('sim: name one connector\nusage: baton-serverless sim <connector> [options]');
  const name = connectorName(positionals[0]);
  const port = intFlag('sim', 'port', values.port as string, 0, 65_535)!;
  const users = intFlag('sim', 'users', values.users as string | undefined, 1, 10_000_000);
  const seed = intFlag('sim', 'seed', values.seed as string, 0, 2 ** 32 - 1)!;
  const rateLimits = rateLimitsOf(values['rate-limits'] as string);
  const sim = await loadSimulator(name);
  const extra = parseSettings(name, (values.set as string[] | undefined) ?? [], sim.settings ?? {});
  const faults = ((values.fault as string[] | undefined) ?? []).map(parseFault);
  const running = await sim.start({ port, seed, users, rateLimits, extra });
  try {
    for (const f of faults) {
      if (!running.fault) throw new UsageError(`sim: ${sim.name} has no fault switches`);
      running.fault(f);
    }
  } catch (err) {
    await running.server.close();
    if (err instanceof UsageError) throw err;
    throw new UsageError(`sim: --fault: ${(err as Error).message}`);
  }
  await io.out.line(`${sim.name} simulator listening on ${running.server.url} (pid ${process.pid})`);
  if (running.expected) await io.out.line(`tenant: ${JSON.stringify(running.expected)}`);
  for (const f of faults) await io.out.line(describeFault(f));
  await io.out.line('sync it from another shell with:');
  await io.out.line(
    `  ${Object.entries(running.config)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')} npx baton-serverless sync ${sim.name} --out ${sim.name}.c1z`,
  );
  await io.out.line(`Ctrl-C (or kill ${process.pid}) stops it; it also stops when its parent process exits.`);
  await io.out.flush();
  // Killing `npx` would otherwise leave this process serving a port forever: it stops with its caller.
  await untilStopped();
  await running.server.close();
  io.err(`${sim.name} simulator stopped`);
}
