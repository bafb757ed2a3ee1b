#!/usr/bin/env node
// First of all: who started us, so a caller that dies while we load is still noticed.
const parent = process.ppid;
// Runs the TypeScript CLI directly: Node 24 strips types natively (the repo pins node@24 for npx).
const [major] = process.versions.node.split('.').map(Number);
if (major < 24) {
  process.stderr.write(
    `baton-serverless needs Node.js 24 or later (this is ${process.version}); run it with npx inside the repo, which uses the pinned node@24.\n`,
  );
  process.exit(1);
}
(await import('./cli/caller.ts')).rememberParent(parent);
const { main } = await import('./cli/main.ts');
const code = await main(process.argv.slice(2));
// Interrupted (130, 143): work may still be in flight; it has been cleaned up, so stop here.
if (code >= 128) process.exit(code);
process.exitCode = code;
