// The buf CLI from its per-platform npm package. (The `@bufbuild/buf` wrapper package lists
// optional binaries for every platform, and a lock file cannot record the ones the registry we
// install from does not carry, which breaks `npm ci`; so we depend on the Linux binaries directly.)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = new URL('../../', import.meta.url).pathname;

export function bufPath(): string {
  const arch = process.arch === 'arm64' ? 'aarch64' : process.arch;
  const path = join(ROOT, `node_modules/@bufbuild/buf-${process.platform}-${arch}/bin/buf`);
  if (!existsSync(path))
    throw new Error(`no buf binary for ${process.platform}-${arch} at ${path} (the project installs @bufbuild/buf-linux-x64 and -aarch64)`);
  return path;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  execFileSync(bufPath(), process.argv.slice(2), {
    stdio: 'inherit',
    env: { ...process.env, PATH: `${join(ROOT, 'node_modules/.bin')}:${process.env.PATH}` },
  });
}
