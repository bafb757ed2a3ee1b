/**
 * Where a function's code comes from, and the names both ways of making it share. In this
 * repository (TypeScript run from source) each handler is bundled at synth by infra/bundling.ts;
 * from the published package (compiled JavaScript under node_modules) synth takes the bundles
 * built at pack time into `assets/<name>-<arch>/` and runs no bundler. Both folders hold the same
 * files, so CDK gives them the same asset hash.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Architecture = 'arm64' | 'x86_64';
export const ARCHITECTURES: readonly Architecture[] = ['arm64', 'x86_64'];

/** The handler string Lambda needs for a bundle made here. */
export const HANDLER = 'index.handler';
export const BUNDLE_FILE = 'index.mjs';
/** The provisioning endpoint runs on arm64 only. */
export const PROVISIONING_ARCHITECTURE: Architecture = 'arm64';
export const PROVISIONING_BUNDLE = 'provisioning';

/** True when this module runs as TypeScript from the repository, false from the compiled package. */
export const FROM_SOURCE = import.meta.url.endsWith('.ts');

/** The package root: the nearest folder above this module with a package.json (repo root or `node_modules/baton-serverless`). */
export const PACKAGE_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
})();

/** `assets/` in the package: the bundles built at pack time. */
export const ASSETS_DIR = join(PACKAGE_ROOT, 'assets');

/** `<name>-<architecture>`: a connector's (or the provisioning endpoint's) bundle folder under assets/. */
export function bundleName(name: string, architecture: Architecture): string {
  return `${name}-${architecture}`;
}

export function prebuiltDir(name: string, architecture: Architecture): string {
  return join(ASSETS_DIR, bundleName(name, architecture));
}
