// Noticing that whoever started us is gone. `npx baton-serverless …` runs the CLI as
// npm → `sh -c baton-serverless …` → node: a SIGTERM to npx (a supervisor, a parent's
// child.kill()) ends npm but not the shell or us, and the shell keeps waiting for us, so our own
// parent never changes. We therefore also watch the processes that only wrap us (that shell, npm
// or npx) and treat the death of any of them as the caller's.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

const POLL_MS = 500;

/** Our parent when the process started: a caller killed while we still load is noticed too. */
let startedUnder: number | undefined;

/** Called by the bin as early as it can. */
export function rememberParent(pid: number): void {
  startedUnder ??= pid;
}

function cmdlineOf(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
}

/** Parent pid and state letter from /proc/<pid>/stat (the command may contain spaces and parens). */
function statOf(pid: number): { ppid: number; state: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '?', ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

/** A process that only runs us on someone's behalf: `sh -c …`, npm or npx. */
function isWrapper(cmd: string[]): boolean {
  const [exe = '', ...args] = cmd;
  const name = basename(exe);
  if (['sh', 'bash', 'dash', 'zsh'].includes(name) && args[0] === '-c') return true;
  if (name === 'npm' || name === 'npx' || name.startsWith('npm ')) return true;
  return /^node(js)?$/.test(name) && args.some((a) => /(?:^|\/)(?:npm|npx)(?:-cli\.js)?$/.test(a));
}

/** Our parent and, while they are wrappers, theirs: the processes whose death means the caller's. */
export function callerChain(): number[] {
  const first = startedUnder ?? process.ppid;
  const chain = [first];
  let pid = first;
  for (let depth = 0; depth < 4; depth++) {
    const cmd = cmdlineOf(pid);
    if (!cmd || !isWrapper(cmd)) break;
    const parent = statOf(pid)?.ppid;
    if (!parent || parent <= 1) break;
    chain.push(parent);
    pid = parent;
  }
  return chain;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A dead process its own parent has not reaped yet still answers kill(0).
  return statOf(pid)?.state !== 'Z';
}

/**
 * Calls `onGone(pid)` once when our parent changes or a wrapper above us exits; returns a function
 * that stops watching. The timer does not keep the process alive.
 */
export function watchCaller(onGone: (pid: number) => void): () => void {
  const parent = startedUnder ?? process.ppid;
  const chain = callerChain();
  const timer = setInterval(() => {
    const gone = process.ppid !== parent ? parent : chain.find((pid) => !alive(pid));
    if (gone === undefined) return;
    clearInterval(timer);
    onGone(gone);
  }, POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}
