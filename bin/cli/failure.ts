// A failed command as the lines a person reads on stderr: what failed, in one line with every
// BATON_* secret scrubbed, then what to do about it when we can tell, and the exit code.
import { oneLine } from '../../shared/errors.ts';
import { HttpError } from '../../shared/http/errors.ts';
import { redact } from '../../shared/http/redact.ts';
import { secretValuesOf } from '../../shared/sync/config.ts';
import { Interrupted } from './signals.ts';

export interface Failure {
  lines: string[];
  exitCode: number;
}

function batonEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('BATON_') && e[1] !== undefined));
}

export function describeFailure(e: unknown): Failure {
  const env = batonEnv();
  const secrets = secretValuesOf(env);
  if (e instanceof Interrupted) return { lines: [`baton-serverless: ${e.message}`], exitCode: e.exitCode };
  const lines = [`baton-serverless: ${redact(oneLine(e), secrets)}`];
  const hint = hintFor(e, env);
  if (hint) lines.push(`  hint: ${redact(hint, secrets)}`);
  if (env.BATON_DEBUG && e instanceof Error && e.stack) lines.push(redact(e.stack, secrets));
  return { lines, exitCode: 1 };
}

/** The BATON_* variable whose URL points at `origin`, if any. */
export function settingFor(origin: string | undefined, env: Record<string, string>): string | undefined {
  if (!origin) return undefined;
  for (const [k, v] of Object.entries(env)) {
    try {
      if (/^https?:\/\//i.test(v) && new URL(v).origin === origin) return k;
    } catch {
      // not a URL
    }
  }
  return undefined;
}

function httpErrorOf(e: unknown): HttpError | undefined {
  for (let x: unknown = e, depth = 0; x && depth < 5; x = (x as { cause?: unknown }).cause, depth++) {
    if (x instanceof HttpError) return x;
  }
  return undefined;
}

function hintFor(e: unknown, env: Record<string, string>): string | undefined {
  const http = httpErrorOf(e);
  if (http && (http.kind === 'network' || http.kind === 'timeout')) {
    const setting = settingFor(http.origin, env);
    return setting
      ? `${http.origin} comes from ${setting}; check that it is right and that the service is up`
      : `${http.origin ?? 'the host'} is ${http.app}'s default host; check this machine's network, DNS and proxy (HTTPS_PROXY), or set BATON_BASE_URL`;
  }
  if (http && http.status === 404) {
    const setting = settingFor(http.origin, env);
    if (setting) {
      const slack = http.app === 'slack' && setting === 'BATON_BASE_URL' ? " (Slack's Web API base ends in /api/, e.g. https://slack.com/api/)" : '';
      return `the URL comes from ${setting}; check its path${slack}`;
    }
  }
  const code = (e as { code?: string; name?: string } | undefined)?.code;
  if (code === 'EROFS') return 'the file system is read-only; choose another --out';
  if (code === 'EACCES' || code === 'EPERM') return 'no permission to write there; choose another --out or fix the folder permissions';
  if (code === 'ENOSPC') return 'the disk is full; free space or choose another --out (the c1z needs about twice its size while it is written)';
  if (code === 'EDQUOT') return 'the disk quota is used up; free space or choose another --out';
  return undefined;
}
