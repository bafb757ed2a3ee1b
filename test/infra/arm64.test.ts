// The arm64 asset is run, not only inspected. The fullstory connector is bundled for
// arm64 with the deployment's own bundling, and the bundle's handler runs on an arm64 Node 24
// under qemu user-mode emulation (test/support/arm64.sh) against moto and the Fullstory simulator;
// the c1z it uploads is read back and checked against the simulator's tenant.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { type BundleResult, bundleConnector, REPO_ROOT } from '../../infra/bundling.ts';
import { simulator as fullstorySim } from '../../lambdas/fullstory/sim/index.ts';
import { openC1z } from '../../shared/c1z/reader.ts';
import { createBucket, createSecret, motoEndpoint, s3Client, secretsClient, TEST_REGION } from '../support/aws.ts';

const ARM64_SH = join(REPO_ROOT, 'test/support/arm64.sh');
const IN_CI = !!process.env['CI'] && process.env['CI'] !== 'false';
/** Everything runs emulated: node's start-up alone is seconds, a small sync tens of seconds. */
const RUN_TIMEOUT_MS = 5 * 60_000;

interface Exec {
  code: number;
  stdout: string;
  stderr: string;
}

function exec(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}): Promise<Exec> {
  // Async on purpose: the simulator serves from this process, so a blocking spawn would deadlock.
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, timeout: opts.timeout ?? RUN_TIMEOUT_MS, cwd: opts.cwd, env: opts.env },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr: err && code === -1 ? `${stderr}\n${err.message}` : stderr });
      },
    );
  });
}

const root = mkdtempSync(join(tmpdir(), 'baton-arm64-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The emulator's cache folder once installed; `unavailable` says why not (outside CI only). */
let cacheDir: string | undefined;
let unavailable: string | undefined;
let bundle: BundleResult;

beforeAll(async () => {
  bundle = bundleConnector('fullstory', 'arm64', join(root, 'fullstory-arm64'));
  const install = await exec('bash', [ARM64_SH, 'install'], { timeout: 15 * 60_000 });
  if (install.code === 0) {
    cacheDir = (await exec('bash', [ARM64_SH, 'path'])).stdout.trim();
    return;
  }
  const why = `test/support/arm64.sh install exited ${install.code}:\n${install.stderr.trim()}`;
  if (IN_CI) throw new Error(`arm64: the emulator must be installable in CI (CI=${process.env['CI']}). ${why}`);
  unavailable = why;
  console.warn(`arm64: skipping, the arm64 emulator could not be installed here (CI would fail).\n${why}`);
}, 16 * 60_000);

function requireEmulator(ctx: TestContext): void {
  if (!cacheDir) ctx.skip(`arm64 emulator not installable here: ${unavailable ?? 'unknown reason'}`);
}

/**
 * THE invocation of the bundle: imports `index.mjs` in the bundle folder on the emulated arm64
 * Node, calls `handler(event, context)` once, and returns what it resolved or rejected with.
 * Only this function knows the handler's calling convention; change it here when that changes.
 */
async function invokeArm64Bundle(
  dir: string,
  event: unknown,
  env: Record<string, string>,
): Promise<{ ok: boolean; value: any; arch: string; stdout: string; stderr: string }> {
  // The handler's durable steps run in this one emulated process (runInProcess): the durable
  // service is not here; the durable flow itself is tested with the SDK's local runner elsewhere.
  const script = `
    const mod = await import('./index.mjs');
    let out;
    try {
      out = { ok: true, value: await mod.handler.runInProcess(${JSON.stringify(event)}) };
    } catch (e) {
      out = { ok: false, value: String((e && e.message) || e) };
    }
    process.stdout.write('\\n@@RESULT@@' + JSON.stringify({ ...out, arch: process.arch }));
    process.exit(0);`;
  const run = await exec('bash', [ARM64_SH, 'node', '--input-type=module', '-e', script], {
    cwd: dir,
    // A clean environment like Lambda's: no NODE_PATH, nothing from this process but PATH.
    env: { PATH: process.env['PATH'] ?? '', HOME: root, BATON_CACHE_DIR: join(cacheDir!, '..'), ...env },
  });
  const marker = run.stdout.lastIndexOf('@@RESULT@@');
  if (run.code !== 0 || marker < 0) throw new Error(`the arm64 bundle did not run (exit ${run.code}):\n${run.stderr}\n${run.stdout}`);
  const result = JSON.parse(run.stdout.slice(marker + '@@RESULT@@'.length)) as { ok: boolean; value: any; arch: string };
  return { ...result, stdout: run.stdout.slice(0, marker), stderr: run.stderr };
}

describe('the arm64 fullstory bundle runs on an emulated arm64 Node 24', () => {
  it(
    'the emulated node is arm64 Node 24 and loads the bundle’s aarch64 better-sqlite3',
    async (ctx) => {
      requireEmulator(ctx);
      expect(bundle.nativeAddons).toEqual(['linux-arm64.node']);
      const probe = await exec(
        'bash',
        [
          ARM64_SH,
          'node',
          '-e',
          "const D = require('./linux-arm64.node'); console.log(JSON.stringify({ arch: process.arch, node: process.versions.node, addon: typeof D.Database }))",
        ],
        { cwd: bundle.outDir, env: { PATH: process.env['PATH'] ?? '', BATON_CACHE_DIR: join(cacheDir!, '..') } },
      );
      expect(probe.code, probe.stderr).toBe(0);
      const info = JSON.parse(probe.stdout.trim()) as { arch: string; node: string; addon: string };
      expect(info.arch).toBe('arm64');
      expect(info.node.split('.')[0]).toBe('24');
      expect(info.addon).toBe('function');
      // The host's x64 Node must refuse the same file, or the probe above proves nothing.
      const host = await exec(process.execPath, ['-e', "require('./linux-arm64.node')"], { cwd: bundle.outDir });
      expect(host.code).not.toBe(0);
      expect(host.stderr).toMatch(/ELF|wrong ELF class|invalid ELF header|cannot open shared object/i);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'scheduled event → Secrets Manager (moto) → Fullstory simulator → c1z in S3 (moto), read back',
    async (ctx) => {
      requireEmulator(ctx);
      const sim = await fullstorySim.start({ seed: 13, users: 250, rateLimits: 'off' });
      try {
        const expected = sim.expected;
        if (!expected) throw new Error('the Fullstory simulator reported no expected counts');
        const endpoint = motoEndpoint();
        const s3 = s3Client(endpoint);
        const bucket = await createBucket(s3, 'arm64');
        const secretId = await createSecret(secretsClient(endpoint), sim.config, 'baton/fullstory-arm64');
        const key = 'baton/fullstory/sync.c1z';
        const work = mkdtempSync(join(root, 'work-'));
        const started = performance.now();
        const result = await invokeArm64Bundle(
          bundle.outDir,
          { source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2025-01-01T00:00:00Z' },
          {
            BUCKET: bucket,
            OBJECT_KEY: key,
            SECRET_ID: secretId,
            WORK_ROOT: work,
            MIN_FREE_TMP_MB: '1',
            POWERTOOLS_METRICS_NAMESPACE: 'BatonServerless',
            POWERTOOLS_SERVICE_NAME: 'baton-serverless',
            AWS_ENDPOINT_URL: endpoint,
            AWS_REGION: TEST_REGION,
            AWS_ACCESS_KEY_ID: 'testing',
            AWS_SECRET_ACCESS_KEY: 'testing',
          },
        );
        const seconds = (performance.now() - started) / 1000;
        expect(result.ok, `handler failed: ${result.value}\n${result.stderr}`).toBe(true);
        expect(result.arch).toBe('arm64');
        expect(result.value).toMatchObject({ bucket, key, uploaded: true, counts: expected });
        console.log(`arm64: emulated invocation (node start + sync of ${expected.resources} users + upload) took ${seconds.toFixed(1)} s`);

        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const file = join(work, 'downloaded.c1z');
        await writeFile(file, await object.Body!.transformToByteArray());
        const reader = await openC1z(file);
        try {
          expect(reader.chosenBy).toBe('latest finished full sync');
          expect(reader.counts()).toEqual(expected);
          const ids = [...reader.resources({ resourceType: 'user' })].map((r) => r.id!.resource);
          expect(new Set(ids).size).toBe(expected.resources);
        } finally {
          reader.close();
        }
      } finally {
        await sim.server.close();
      }
    },
    RUN_TIMEOUT_MS,
  );
});
