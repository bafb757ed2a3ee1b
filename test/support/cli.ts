// Runs the CLI as a user does: a child process of bin/baton-serverless.js, BATON_* taken only from
// what the test passes.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const FIXTURES = join(ROOT, 'test/fixtures/c1z');
export const FINISHED = join(FIXTURES, 'sqlite-v1-finished-full-sync.c1z');
export const UNFINISHED = join(FIXTURES, 'sqlite-v1-unfinished-sync.c1z');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function startCli(args: string[], env: Record<string, string> = {}, options: { cwd?: string } = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('BATON_') && !k.startsWith('AWS_')));
  const child = spawn(process.execPath, [join(ROOT, 'bin/baton-serverless.js'), ...args], { env: { ...base, NO_COLOR: '1', ...env }, cwd: options.cwd });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function cli(args: string[], env: Record<string, string> = {}, options: { cwd?: string } = {}): Promise<CliResult> {
  return startCli(args, env, options).done;
}
