/**
 * Bundles one connector's Lambda handler into a self-contained folder with esbuild: no Docker,
 * no node_modules. better-sqlite3 is aliased to its per-architecture entry
 * (`better-sqlite3/linux-arm64` or `/linux-x64`), whose `require('../prebuilds/linux-<arch>.node')`
 * esbuild copies next to the bundle (`loader: {'.node': 'copy'}`). The folder holds:
 *
 *   index.mjs            the handler (Lambda handler string `index.handler`)
 *   linux-<arch>.node    better-sqlite3's N-API prebuild for the target architecture
 *   index.mjs.LEGAL.txt  the bundled packages' license comments
 *
 * Every bundle is checked before it is returned: no simulator code (`lambdas/<app>/sim/`,
 * `shared/sim/`, `shared/<family>/sim/`: test and demo code), no node_modules, each `.node` file is an ELF for the target
 * machine needing at most GLIBC_2.34 (Amazon Linux 2023), zipped size ≤ 3 MB.
 */

import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { buildSync } from 'esbuild';
import { type Architecture, BUNDLE_FILE, PACKAGE_ROOT } from './asset-layout.ts';
import { compareVersions, EM_AARCH64, EM_X86_64, maxGlibcVersion, maxSymbolVersion, readElf } from './elf.ts';

export { type Architecture, BUNDLE_FILE, HANDLER } from './asset-layout.ts';

/** The repository root. */
export const REPO_ROOT = PACKAGE_ROOT;
/** Lambda's Node.js 24 runtime (Amazon Linux 2023) ships glibc 2.34. */
export const MAX_GLIBC = '2.34';
/** ...and GCC 11's libstdc++ (GLIBCXX_3.4.29). */
export const MAX_GLIBCXX = '3.4.29';
/** The size budget for one connector's asset, zipped: small enough to upload and cold-start quickly. */
export const MAX_ZIPPED_BYTES = 3 * 1024 * 1024;

const NODE_ARCH: Record<Architecture, 'arm64' | 'x64'> = { arm64: 'arm64', x86_64: 'x64' };
const ELF_MACHINE: Record<Architecture, number> = { arm64: EM_AARCH64, x86_64: EM_X86_64 };

// esbuild turns `require()` calls inside bundled CommonJS into `__require()`, which uses a real
// `require` when one is in scope: give the ES module one, resolving next to the bundle.
const ESM_REQUIRE_BANNER = [
  "import { createRequire as __batonCreateRequire } from 'node:module';",
  'const require = __batonCreateRequire(import.meta.url);',
].join('\n');

/**
 * Simulator folders, relative to the repository root: test and demo code that must never ship in a
 * function. (CDK bundles synchronously and esbuild's buildSync runs no plugins, so the build's
 * metafile is checked instead of refusing the import while resolving.)
 */
export const SIMULATOR_PATH = /^(?:lambdas\/[^/]+|shared(?:\/[^/]+)?)\/sim\//;

export class BundlingError extends Error {
  override name = 'BundlingError';
}

/** `lambdas/<connector>/handler.ts` under `root`. */
export function connectorEntry(connector: string, root = REPO_ROOT): string {
  return join(root, 'lambdas', connector, 'handler.ts');
}

/** The provisioning endpoint's handler (exports `handler`). */
export function provisioningEntry(root = REPO_ROOT): string {
  return join(root, 'lambdas', 'provisioning.ts');
}

export interface BundleOptions {
  /** The handler source file (exports `handler`). */
  entry: string;
  /** The folder to write into (created if missing; CDK hands an empty one). */
  outDir: string;
  architecture: Architecture;
  /** Resolves packages and tsconfig from here (default: the repository root). */
  workingDir?: string;
  minify?: boolean;
}

export interface BundleResult {
  outDir: string;
  /** Every file in the folder, relative to it. */
  files: string[];
  /** The `.node` addons copied next to the bundle, relative to outDir. */
  nativeAddons: string[];
  /** The source files esbuild put in the bundle, relative to the working directory. */
  inputs: string[];
  /** The deflate size of the folder as a zip archive (CDK uploads function code as a zip). */
  zippedBytes: number;
  unzippedBytes: number;
}

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, base));
    else out.push(relative(base, full));
  }
  return out.sort();
}

/**
 * The size of a zip archive of `dir` (deflate per file + local/central headers + end record),
 * without writing one. Close to what `zip -r` and CDK's archiver produce.
 */
export function zippedSize(dir: string): number {
  let total = 22; // end of central directory record
  for (const file of listFiles(dir)) {
    const data = readFileSync(join(dir, file));
    const compressed = Math.min(deflateRawSync(data).length, data.length);
    const name = Buffer.byteLength(file);
    total += 30 + name + compressed + 46 + name;
  }
  return total;
}

/** Checks a bundle folder the way Lambda will need it; throws a BundlingError naming the problem. */
export function verifyBundle(outDir: string, architecture: Architecture, inputs: string[] = []): BundleResult {
  const files = listFiles(outDir);
  const entries = readdirSync(outDir, { recursive: true }).map(String);
  if (entries.some((f) => f.split(/[\\/]/).includes('node_modules'))) {
    throw new BundlingError(`${outDir}: the bundle must not contain node_modules`);
  }
  if (!files.includes(BUNDLE_FILE)) throw new BundlingError(`${outDir}: ${BUNDLE_FILE} is missing`);
  const nativeAddons = files.filter((f) => f.endsWith('.node'));
  for (const addon of nativeAddons) {
    const info = readElf(join(outDir, addon));
    if (info.machine !== ELF_MACHINE[architecture]) {
      throw new BundlingError(`${addon}: built for ${info.machineName}, the function runs on ${architecture}`);
    }
    const glibc = maxGlibcVersion(info);
    if (glibc && compareVersions(glibc, MAX_GLIBC) > 0) {
      throw new BundlingError(`${addon}: needs GLIBC_${glibc}, Lambda's Node.js 24 runtime has ${MAX_GLIBC}`);
    }
    const glibcxx = maxSymbolVersion(info, 'GLIBCXX');
    if (glibcxx && compareVersions(glibcxx, MAX_GLIBCXX) > 0) {
      throw new BundlingError(`${addon}: needs GLIBCXX_${glibcxx}, Lambda's Node.js 24 runtime has ${MAX_GLIBCXX}`);
    }
  }
  const zippedBytes = zippedSize(outDir);
  if (zippedBytes > MAX_ZIPPED_BYTES) {
    throw new BundlingError(`${outDir}: the asset is ${(zippedBytes / 1048576).toFixed(2)} MB zipped, over the 3 MB budget`);
  }
  const unzippedBytes = files.reduce((sum, f) => sum + statSync(join(outDir, f)).size, 0);
  return { outDir, files, inputs, nativeAddons, zippedBytes, unzippedBytes };
}

/** Bundles `entry` for `architecture` into `outDir` and verifies the result. */
export function bundleHandler(options: BundleOptions): BundleResult {
  const { entry, outDir, architecture } = options;
  const workingDir = options.workingDir ?? REPO_ROOT;
  if (!existsSync(entry)) throw new BundlingError(`handler not found: ${entry}`);
  mkdirSync(outDir, { recursive: true });
  const leftovers = readdirSync(outDir);
  if (leftovers.length > 0) throw new BundlingError(`${outDir} must be empty (found ${leftovers.join(', ')})`);
  const result = buildSync({
    absWorkingDir: workingDir,
    entryPoints: [entry],
    outfile: join(outDir, BUNDLE_FILE),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'esm',
    mainFields: ['module', 'main'],
    alias: { 'better-sqlite3': `better-sqlite3/linux-${NODE_ARCH[architecture]}` },
    loader: { '.node': 'copy' },
    assetNames: '[name]',
    // Optional native zstd binding: never bundled (it has no prebuilds); the runtime falls back to node:zlib.
    external: ['zstd-napi'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: options.minify ?? true,
    keepNames: true,
    legalComments: 'external',
    logLevel: 'silent',
    metafile: true,
  });
  if (result.errors.length > 0) {
    throw new BundlingError(result.errors.map((e) => e.text).join('\n'));
  }
  const inputs = Object.keys(result.metafile.inputs).map((f) => f.split('\\').join('/'));
  const simulator = inputs.filter((f) => SIMULATOR_PATH.test(f));
  if (simulator.length > 0) {
    throw new BundlingError(
      `${relative(workingDir, entry)} pulls simulator code into the function: ${simulator.join(', ')} ` +
        '(simulators are test and demo code; import the connector, not its index.ts or sim/)',
    );
  }
  return verifyBundle(outDir, architecture, inputs);
}

/** Bundles `lambdas/<connector>/handler.ts`. */
export function bundleConnector(connector: string, architecture: Architecture, outDir: string, root = REPO_ROOT): BundleResult {
  return bundleHandler({ entry: connectorEntry(connector, root), outDir, architecture, workingDir: root });
}
