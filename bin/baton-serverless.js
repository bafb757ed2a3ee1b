#!/usr/bin/env node
// First of all: who started us, so a caller that dies while we load is still noticed.
const parent = process.ppid;
// The CLI's entry: Node 24 strips types natively (the repo pins node@24 for npx).
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `baton-serverless needs Node.js 24 or later (this is ${process.version}); run it with npx inside the repo, which uses the pinned node@24.\n`,
  );
  process.exit(1);
}
// In the repository the CLI runs from its TypeScript; in the installed package (where Node strips no
// types under node_modules) from the compiled JavaScript in dist/.
const { existsSync } = await import('node:fs');
const fromSource = existsSync(new URL('./cli/main.ts', import.meta.url));
const cli = (name) => new URL(fromSource ? `./cli/${name}.ts` : `../dist/bin/cli/${name}.js`, import.meta.url).href;
(await import(cli('caller'))).rememberParent(parent);
const { main } = await import(cli('main'));
const code = await main(process.argv.slice(2));
// Interrupted (130, 143): work may still be in flight; it has been cleaned up, so stop here.
if (code >= 128) process.exit(code);
process.exitCode = code;
