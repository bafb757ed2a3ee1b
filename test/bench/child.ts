// Runs one phase of a benchmark in its own process so its peak RSS is its own.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { buildSync } from 'esbuild';
import { SYNC_NODE_OPTIONS } from '../../shared/sync/node-options.ts';

const ROOT = new URL('../../', import.meta.url).pathname;

/**
 * Bundles a phase with esbuild, as the Lambda runs bundled code: run as .ts, Node's type stripping
 * alone adds ~37 MB of RSS that no deployed function carries. Native modules stay external and
 * resolve from the repo's node_modules.
 */
function bundle(module: string): string {
  // One folder per checkout: worktrees share node_modules, and a bench in one must not run another's bundle.
  const checkout = createHash('sha256').update(ROOT).digest('hex').slice(0, 12);
  const outfile = join(ROOT, 'node_modules/.cache/baton-bench', checkout, basename(module).replace(/\.ts$/, '.mjs'));
  buildSync({
    entryPoints: [module],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    external: ['better-sqlite3', 'zstd-napi'],
    banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
    logLevel: 'error',
  });
  return outfile;
}

export interface PhaseResult {
  seconds: number;
  peakRssMb: number;
  [k: string]: unknown;
}

/** Forks `module` with `args`; the child sends one message (its figures) and exits. */
export function runPhase(module: string, args: string[]): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    // The same V8 sizing the Lambda functions run with (NODE_OPTIONS in infra/): a small young
    // generation keeps a streaming sync's garbage from inflating RSS.
    const child = fork(bundle(module), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [...process.execArgv, ...SYNC_NODE_OPTIONS] });
    let result: PhaseResult | undefined;
    child.on('message', (m) => {
      result = m as PhaseResult;
    });
    child.on('error', reject);
    child.on('exit', (code) => (result && code === 0 ? resolve(result) : reject(new Error(`${module} exited with ${code}`))));
  });
}

/** Peak RSS of this process so far, in MB (the kernel's high-water mark). */
export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
