/**
 * `npm run build` (run by `npm pack` and `npm publish` through prepack): the publishable package.
 *   dist/     the TypeScript compiled to ES modules with .d.ts (tsconfig.build.json), plus the
 *             generated protobuf modules, which are JavaScript already
 *   assets/   every connector of the registry bundled for each architecture, and the provisioning
 *             endpoint for arm64: the folders the constructs use from the package, so a consumer's
 *             synth runs no bundler. Each is checked like a synth-time bundle (infra/bundling.ts).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { connectorNames } from '../lambdas/index.ts';
import { ARCHITECTURES, ASSETS_DIR, bundleName, PACKAGE_ROOT, PROVISIONING_ARCHITECTURE, PROVISIONING_BUNDLE } from './asset-layout.ts';
import { type BundleResult, bundleConnector, bundleHandler, provisioningEntry } from './bundling.ts';

const DIST = join(PACKAGE_ROOT, 'dist');

function compile(): void {
  rmSync(DIST, { recursive: true, force: true });
  const tsc = spawnSync(join(PACKAGE_ROOT, 'node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json'], { cwd: PACKAGE_ROOT, stdio: 'inherit' });
  if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json failed (exit ${tsc.status})`);
  cpSync(join(PACKAGE_ROOT, 'shared/c1z/gen'), join(DIST, 'shared/c1z/gen'), { recursive: true });
}

/** Every bundle the package ships, by folder name. */
export function bundleAll(outRoot = ASSETS_DIR): Record<string, BundleResult> {
  rmSync(outRoot, { recursive: true, force: true });
  mkdirSync(outRoot, { recursive: true });
  const built: Record<string, BundleResult> = {};
  for (const connector of connectorNames) {
    for (const architecture of ARCHITECTURES) {
      const name = bundleName(connector, architecture);
      built[name] = bundleConnector(connector, architecture, join(outRoot, name));
    }
  }
  const name = bundleName(PROVISIONING_BUNDLE, PROVISIONING_ARCHITECTURE);
  built[name] = bundleHandler({ entry: provisioningEntry(), outDir: join(outRoot, name), architecture: PROVISIONING_ARCHITECTURE });
  return built;
}

if (import.meta.filename === process.argv[1]) {
  compile();
  const built = bundleAll();
  for (const [name, r] of Object.entries(built)) {
    console.log(`assets/${name.padEnd(22)} ${(r.zippedBytes / 1048576).toFixed(2)} MB zipped, ${(r.unzippedBytes / 1048576).toFixed(2)} MB`);
  }
}
