// The function assets: esbuild bundles without Docker into a folder with no node_modules that
// loads on Node 24; better-sqlite3's prebuild for the function's architecture sits next to the
// bundle (aarch64 ELF needing at most GLIBC_2.34 for arm64); each asset is ≤ 3 MB zipped.
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type Architecture,
  BundlingError,
  bundleConnector,
  bundleHandler,
  MAX_ZIPPED_BYTES,
  REPO_ROOT,
  SIMULATOR_PATH,
  verifyBundle,
  zippedSize,
} from '../../infra/bundling.ts';
import { compareVersions, EM_AARCH64, EM_X86_64, maxGlibcVersion, parseElf, readElf } from '../../infra/elf.ts';
import { connectorNames } from '../../lambdas/index.ts';
import { createBucket, createSecret, motoEndpoint, s3Client, secretsClient, TEST_REGION } from '../support/aws.ts';

const STAND_IN = join(REPO_ROOT, 'test/infra/fixtures/stand-in-handler.ts');
// Every connector of the registry: a connector whose handler is missing fails here.
const CONNECTORS = [...connectorNames];

const root = mkdtempSync(join(tmpdir(), 'baton-bundle-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

/** No node_modules in the folder or any folder above it: the bundle must resolve nothing. */
function assertNoNodeModulesAbove(dir: string): void {
  for (let d = dir; ; d = dirname(d)) {
    expect(existsSync(join(d, 'node_modules')), `${d}/node_modules`).toBe(false);
    if (dirname(d) === d) break;
  }
}

/**
 * Imports the bundle in a fresh Node (this one: 24) with the bundle folder as cwd and no
 * NODE_PATH, calls `handler(event, context)`, and returns what it resolved or rejected with.
 */
async function invokeBundle(
  dir: string,
  event: unknown,
  env: Record<string, string> = {},
  durable = false,
): Promise<{ ok: boolean; value: any; stdout: string; stderr: string }> {
  // A durable handler's steps run in this one process (runInProcess): the durable service is
  // not here, and the durable flow itself is tested in-process with the SDK's local runner.
  const call = durable ? `mod.handler.runInProcess(${JSON.stringify(event)})` : `mod.handler(${JSON.stringify(event)}, context)`;
  const script = `
    const context = { getRemainingTimeInMillis: () => 60000, functionName: 'test', awsRequestId: 'req-1' };
    const mod = await import('./index.mjs');
    try {
      const value = await ${call};
      process.stdout.write('\\n@@RESULT@@' + JSON.stringify({ ok: true, value }));
    } catch (e) {
      process.stdout.write('\\n@@RESULT@@' + JSON.stringify({ ok: false, value: String(e && e.message || e) }));
    }
    process.exit(0);`;
  // Asynchronously: a blocked test process would stop draining moto's log pipe, and moto with it.
  const run = await new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      { cwd: dir, env: { PATH: process.env['PATH'] ?? '', HOME: root, ...env }, encoding: 'utf8', timeout: 60_000 },
      (err, stdout, stderr) => resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
  const marker = run.stdout.lastIndexOf('@@RESULT@@');
  if (run.status !== 0 || marker < 0) throw new Error(`bundle did not load: ${run.stderr}\n${run.stdout}`);
  const result = JSON.parse(run.stdout.slice(marker + '@@RESULT@@'.length)) as { ok: boolean; value: any };
  return { ...result, stdout: run.stdout.slice(0, marker), stderr: run.stderr };
}

describe('bundling a stand-in handler (no Docker, no node_modules)', () => {
  const x64 = bundleHandler({ entry: STAND_IN, outDir: join(root, 'stand-in-x86_64'), architecture: 'x86_64' });
  const arm = bundleHandler({ entry: STAND_IN, outDir: join(root, 'stand-in-arm64'), architecture: 'arm64' });

  it("writes index.mjs and the architecture's better-sqlite3 prebuild, nothing else executable", () => {
    expect(x64.files).toEqual(['index.mjs', 'index.mjs.LEGAL.txt', 'linux-x64.node']);
    expect(arm.files).toEqual(['index.mjs', 'index.mjs.LEGAL.txt', 'linux-arm64.node']);
    for (const r of [x64, arm]) {
      expect(readdirSync(r.outDir, { recursive: true }).some((f) => String(f).includes('node_modules'))).toBe(false);
    }
  });

  it('x86_64: loads and runs on Node 24 from a folder without node_modules, SQLite included', async () => {
    expect(process.versions.node.split('.')[0]).toBe('24');
    assertNoNodeModulesAbove(x64.outDir);
    const result = await invokeBundle(x64.outDir, {});
    expect(result.ok).toBe(true);
    expect(result.value).toMatchObject({ ok: true, arch: 'x64', clients: ['function', 'function', 'function'] });
    expect(result.value.sqlite).toMatch(/^3\.\d+\.\d+$/);
  });

  it('arm64: the .node file is an aarch64 ELF needing at most GLIBC_2.34', () => {
    const info = readElf(join(arm.outDir, 'linux-arm64.node'));
    expect(info.machine).toBe(EM_AARCH64);
    expect(info.machineName).toBe('aarch64');
    const glibc = maxGlibcVersion(info);
    expect(glibc).toBeDefined();
    expect(compareVersions(glibc!, '2.34')).toBeLessThanOrEqual(0);
    expect(readElf(join(x64.outDir, 'linux-x64.node')).machine).toBe(EM_X86_64);
  });

  it.runIf(has('readelf'))('the ELF reader agrees with readelf', () => {
    for (const file of [join(arm.outDir, 'linux-arm64.node'), join(x64.outDir, 'linux-x64.node')]) {
      const text = execFileSync('readelf', ['-h', '-V', '-W', file], { encoding: 'utf8' });
      const versions = [...new Set(text.match(/GLIBC_\d+(?:\.\d+)*/g))];
      const max = versions
        .map((v) => v.slice(6))
        .sort(compareVersions)
        .at(-1);
      expect(maxGlibcVersion(readElf(file))).toBe(max);
      expect(text).toContain(file.endsWith('arm64.node') ? 'AArch64' : 'X86-64');
    }
  });

  it('the zipped-size estimate is close to a real zip, and within the 3 MB budget', () => {
    expect(x64.zippedBytes).toBeLessThanOrEqual(MAX_ZIPPED_BYTES);
    expect(arm.zippedBytes).toBeLessThanOrEqual(MAX_ZIPPED_BYTES);
    if (has('zip')) {
      const zipFile = join(root, 'stand-in.zip');
      execFileSync('zip', ['-qr', zipFile, '.'], { cwd: arm.outDir });
      const real = statSync(zipFile).size;
      expect(Math.abs(real - arm.zippedBytes) / real).toBeLessThan(0.05);
    }
  });

  it('verifyBundle rejects a node_modules folder and a prebuild of the wrong architecture', () => {
    expect(() => verifyBundle(x64.outDir, 'arm64')).toThrow(/built for x86-64, the function runs on arm64/);
    const dir = mkdtempSync(join(root, 'bad-'));
    bundleHandler({ entry: STAND_IN, outDir: dir, architecture: 'x86_64' });
    execFileSync('mkdir', ['-p', join(dir, 'node_modules/x')]);
    expect(() => verifyBundle(dir, 'x86_64')).toThrow(BundlingError);
    expect(() => bundleHandler({ entry: join(root, 'missing.ts'), outDir: join(root, 'm'), architecture: 'arm64' })).toThrow(/handler not found/);
  });

  it('refuses a handler that pulls in simulator code, naming the file', () => {
    // A handler inside the repository (simulator paths are matched relative to it) that imports a
    // connector's simulator, as a careless handler would. (The registry's index files reach their
    // simulators through a computed specifier, which bundlers do not follow.)
    const dir = mkdtempSync(join(REPO_ROOT, 'test/infra/fixtures/.tmp-sim-'));
    try {
      const entry = join(dir, 'handler.ts');
      writeFileSync(
        entry,
        "import { simulator } from '../../../../lambdas/segment/sim/index.ts';\nexport const handler = async () => simulator !== undefined;\n",
      );
      expect(() => bundleHandler({ entry, outDir: join(root, 'with-sim'), architecture: 'arm64' })).toThrow(
        /pulls simulator code into the function: .*lambdas\/segment\/sim\//,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(SIMULATOR_PATH.test('shared/sim/kit.ts')).toBe(true);
    expect(SIMULATOR_PATH.test('lambdas/slack/sim/index.ts')).toBe(true);
    expect(SIMULATOR_PATH.test('lambdas/slack/simple.ts')).toBe(false);
    expect(SIMULATOR_PATH.test('shared/sync/sim.ts')).toBe(false);
  });

  it('the ELF reader refuses what is not a 64-bit ELF', () => {
    expect(() => parseElf(Buffer.from('not an elf at all, but long enough to have a header...............'))).toThrow(/not an ELF/);
    expect(zippedSize(arm.outDir)).toBe(arm.zippedBytes);
  });
});

describe('bundling the real connectors', () => {
  const bundles = new Map<string, Record<Architecture, ReturnType<typeof bundleConnector>>>();
  for (const c of CONNECTORS) {
    bundles.set(c, {
      x86_64: bundleConnector(c, 'x86_64', join(root, `${c}-x86_64`)),
      arm64: bundleConnector(c, 'arm64', join(root, `${c}-arm64`)),
    });
  }

  it('bundles every connector of the registry', () => {
    expect(CONNECTORS.length).toBeGreaterThan(0);
    expect([...bundles.keys()]).toEqual(CONNECTORS);
  });

  it.each(CONNECTORS)('%s: no simulator code in the bundle (its own sim/ nor shared/sim/)', (c) => {
    const b = bundles.get(c)!;
    for (const r of [b.x86_64, b.arm64]) {
      // The inputs are what esbuild put in the bundle: the check is not vacuous.
      expect(r.inputs).toContain(`lambdas/${c}/connector.ts`);
      expect(r.inputs.filter((f) => f.includes('/sim/'))).toEqual([]);
    }
    const text = readFileSync(join(b.x86_64.outDir, 'index.mjs'), 'utf8');
    expect(text).not.toMatch(/lambdas\/[a-z]+\/sim\/|shared\/sim\//);
  });

  it.each(CONNECTORS)('%s: both architectures, ≤ 3 MB zipped, no node_modules', (c) => {
    const b = bundles.get(c)!;
    expect(b.x86_64.nativeAddons).toEqual(['linux-x64.node']);
    expect(b.arm64.nativeAddons).toEqual(['linux-arm64.node']);
    for (const r of [b.x86_64, b.arm64]) {
      expect(r.zippedBytes).toBeLessThanOrEqual(MAX_ZIPPED_BYTES);
      expect(r.files.some((f) => f.includes('node_modules'))).toBe(false);
    }
    const info = readElf(join(b.arm64.outDir, 'linux-arm64.node'));
    expect(info.machine).toBe(EM_AARCH64);
    expect(compareVersions(maxGlibcVersion(info)!, '2.34')).toBeLessThanOrEqual(0);
  });

  it.each(CONNECTORS)(
    '%s: the x86_64 bundle loads on Node 24 and its handler runs: scheduled event → env → Secrets Manager (moto) → config check',
    async (c) => {
      const dir = bundles.get(c)!.x86_64.outDir;
      assertNoNodeModulesAbove(dir);
      const endpoint = motoEndpoint();
      const secretName = await createSecret(secretsClient(endpoint), {}, `infra-${c}`);
      const work = mkdtempSync(join(root, `work-${c}-`));
      const bucket = await createBucket(s3Client(endpoint), 'infra');
      const result = await invokeBundle(
        dir,
        { source: 'aws.events', 'detail-type': 'Scheduled Event', time: '2025-01-01T00:00:00Z' },
        {
          BUCKET: bucket,
          OBJECT_KEY: `baton/${c}/sync.c1z`,
          SECRET_ID: secretName,
          WORK_ROOT: work,
          MIN_FREE_TMP_MB: '1',
          POWERTOOLS_METRICS_NAMESPACE: 'BatonServerless',
          POWERTOOLS_SERVICE_NAME: 'baton-serverless',
          AWS_ENDPOINT_URL: endpoint,
          AWS_REGION: TEST_REGION,
          AWS_ACCESS_KEY_ID: 'testing',
          AWS_SECRET_ACCESS_KEY: 'testing',
        },
        true,
      );
      // The secret holds `{}`: the run fails on the connector's config schema, naming a BATON_* key,
      // which shows the bundle parsed the event and env, called Secrets Manager and validated with zod.
      expect(result.ok).toBe(false);
      expect(result.value).toMatch(/BATON_[A-Z_]+/);
      expect(result.value).not.toMatch(/Cannot find (module|package)|Dynamic require|ERR_/);
      // Powertools ran too: the failure's EMF metrics were flushed with the connector dimension.
      const output = result.stdout + result.stderr;
      expect(output).toContain('"SyncFailed"');
      expect(output).toContain(`"connector":"${c}"`);
    },
  );
});
