// Runs one phase of a benchmark in its own process so its peak RSS is its own.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { basename, join } from 'node:path';
import { buildSync } from 'esbuild';
import { syncNodeOptions } from '../../shared/sync/node-options.ts';

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
    // The V8 sizing a function of the default memory runs with (NODE_OPTIONS in infra/): a small
    // young generation and a capped old one keep a streaming sync's garbage from inflating RSS.
    // BENCH_CHILD_ARGS adds flags for an experiment or a profile ("--cpu-prof --cpu-prof-dir=DIR").
    const extra = process.env.BENCH_CHILD_ARGS?.split(' ').filter(Boolean) ?? [];
    const child = fork(bundle(module), args, {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      execArgv: [...process.execArgv, ...syncNodeOptions(), ...extra],
    });
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

/**
 * What a sliced bench run asks of sync-phase.ts: slices of `sliceSeconds` on the Lambda's clock,
 * whose rate-limit waits are virtual (the clients pace at real rates and skip the waits; the
 * simulator's limits must be off) or compressed (the simulator's limits `scale` times fast).
 */
export interface SlicePlan {
  sliceSeconds: number;
  clock: 'virtual' | 'compressed';
  scale: number;
  bucket: string;
  objectKey: string;
}

/** One slice as sync-phase.ts measured it: real time, the Lambda's clock (its estimate at real speed), its checkpoint. */
export interface SliceFigures {
  wallMs: number;
  lambdaMs: number;
  checkpointMs: number;
}

/**
 * A sliced run at real speed: each slice on the Lambda's clock (checkpoints as measured); and the
 * same work in slices of 840 s (what a 15-minute Lambda leaves a slice), each boundary paying a
 * median checkpoint.
 */
export function slicedEstimate(slices: readonly SliceFigures[]) {
  const real = slices.map((s) => s.lambdaMs / 1000);
  const checkpoints = slices.map((s) => s.checkpointMs / 1000);
  const wallSeconds = sum(real);
  const checkpointSeconds = sum(checkpoints);
  // The last slice's "checkpoint" is the final pack, not a boundary: leave it out when there are others.
  const boundaries = [...(checkpoints.length > 1 ? checkpoints.slice(0, -1) : checkpoints)].sort((a, b) => a - b);
  const perSlice = { min: boundaries[0] ?? 0, median: boundaries[Math.floor(boundaries.length / 2)] ?? 0, max: boundaries.at(-1) ?? 0 };
  const work = wallSeconds - checkpointSeconds;
  const slices840 = Math.max(1, Math.ceil(work / 840));
  return { wallSeconds, checkpointSeconds, perSlice, slices840, wall840Seconds: work + (slices840 - 1) * perSlice.median + (checkpoints.at(-1) ?? 0) };
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}
