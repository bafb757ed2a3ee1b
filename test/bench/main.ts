// `npm run bench -- <name> [args]`: benchmark scripts that print figures (not tests).
const [name, ...args] = process.argv.slice(2);

const benches: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  c1z: () => import('./c1z.ts'),
  drift: () => import('./drift.ts'),
  'sync slack': () => import('./sync-slack.ts'),
  'sync segment': () => import('./sync-segment.ts'),
  'sync slack-enterprise': () => import('./sync-slack-enterprise.ts'),
  'sync okta': () => import('./sync-okta.ts'),
};

const key = name === 'sync' ? `sync ${args.shift() ?? ''}` : (name ?? '');
const load = benches[key];
if (!load) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(benches).join(' | ')}> [--json] [options]\n`);
  process.exit(2);
}
await (await load()).run(args);
