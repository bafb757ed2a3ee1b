// Starts and stops a moto server (S3 + Secrets Manager emulator) from Node.
// The install (a cached folder of Debian packages) is test/support/moto.sh's job (its header says how).
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const MOTO_SCRIPT = fileURLToPath(new URL('./moto.sh', import.meta.url));

const INSTALL_HINT = `install it with: bash ${MOTO_SCRIPT} install (needs apt-get and network access once to the Debian mirror in this machine's apt sources)`;

export interface MotoServer {
  /** e.g. http://127.0.0.1:41234 */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** Port on 127.0.0.1; default: a free one. */
  port?: number;
  /** How long to wait for GET /moto-api/ to answer; default 30 s. */
  timeoutMs?: number;
}

/** Runs `moto.sh install` (fetches into the cache folder only if missing). Returns its duration in ms. */
export async function installMoto(timeoutMs = 300_000): Promise<number> {
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    execFile('bash', [MOTO_SCRIPT, 'install'], { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, _stdout, stderr) => {
      if (err) {
        reject(new Error(`moto.sh install failed (${err.message.split('\n')[0]}):\n${stderr.trim()}`));
      } else {
        resolve();
      }
    });
  });
  return performance.now() - started;
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not get a free port'))));
    });
  });
}

/** Starts moto server on 127.0.0.1 and waits until it answers. */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  // Generous: a guard against a moto that never comes up, not a measure of how fast it starts.
  const timeoutMs = options.timeoutMs ?? 120_000;
  // A port picked by freePort() can be taken before moto binds it: retry a few times then.
  const attempts = options.port === undefined ? 3 : 1;
  let lastError: Error | undefined;
  for (let i = 0; i < attempts; i++) {
    const port = options.port ?? (await freePort());
    try {
      return await startOnPort(port, timeoutMs);
    } catch (err) {
      lastError = err as Error;
      if (!/address already in use/i.test(lastError.message)) break;
    }
  }
  throw lastError ?? new Error('moto did not start');
}

async function startOnPort(port: number, timeoutMs: number): Promise<MotoServer> {
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('bash', [MOTO_SCRIPT, 'start', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // moto.sh stops the server if this process dies without calling stop().
    env: { ...process.env, MOTO_PARENT_PID: String(process.pid) },
  });
  // Keep the tail of its output for error messages; drain the pipes so it never blocks on them.
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-8_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    });
  });
  let spawnError: Error | undefined;
  child.once('error', (err) => {
    spawnError = err;
  });

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError) throw new Error(`could not run moto.sh: ${spawnError.message}`);
    if (exited) {
      const tail = output.trim().split('\n').slice(-15).join('\n');
      throw new Error(
        `moto server exited before it was ready (code ${exited.code}, signal ${exited.signal}).\n${tail}\n` + `If moto is not installed, ${INSTALL_HINT}.`,
      );
    }
    if (await isReady(endpoint)) break;
    if (Date.now() > deadline) {
      await stopChild(child, exitPromise, () => exited !== undefined);
      throw new Error(
        `moto server did not answer GET ${endpoint}/moto-api/ within ${timeoutMs} ms.\n${output.trim().split('\n').slice(-15).join('\n')}\n` +
          `If moto is not installed, ${INSTALL_HINT}.`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  // Request logs are only kept for diagnostics; stop holding them once it is up.
  child.stdout?.removeListener('data', keep);
  child.stderr?.removeListener('data', keep);
  child.stdout?.resume();
  child.stderr?.resume();

  return {
    endpoint,
    port,
    pid: child.pid ?? -1,
    stop: () => stopChild(child, exitPromise, () => exited !== undefined),
  };
}

async function isReady(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

async function stopChild(child: ChildProcess, exitPromise: Promise<void>, hasExited: () => boolean): Promise<void> {
  if (hasExited()) return;
  child.kill('SIGTERM');
  const killed = await Promise.race([exitPromise.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5_000))]);
  if (!killed && !hasExited()) {
    child.kill('SIGKILL');
    await exitPromise;
  }
}
