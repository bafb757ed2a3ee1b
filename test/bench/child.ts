// Runs one phase of a benchmark in its own process so its peak RSS is its own.
import { fork } from 'node:child_process';

export interface PhaseResult {
  seconds: number;
  peakRssMb: number;
  [k: string]: unknown;
}

/** Forks `module` with `args`; the child sends one message (its figures) and exits. */
export function runPhase(module: string, args: string[]): Promise<PhaseResult> {
  return new Promise((resolve, reject) => {
    const child = fork(module, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
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
