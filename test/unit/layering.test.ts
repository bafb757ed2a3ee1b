// The layering rules, checked over every import in the repo so a violation fails `npm test`:
// - shared/ imports nothing from lambdas/, bin/ (the CLI) or test/;
// - a connector (lambdas/<app>/, outside its handler.ts entry and its sim/) imports no AWS SDK,
//   SQLite or filesystem code, directly or through shared/aws or the c1z container;
// - nothing in a connector but its index.ts reaches its simulator or shared simulator code
//   (shared/sim/, shared/<family>/sim/); the bundles exclude sim/ too.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

const FORBIDDEN_IN_CONNECTORS = [
  /^@aws-sdk\//,
  /^@aws\/durable-execution/,
  /^better-sqlite3$/,
  /^(node:)?fs(\/promises)?$/,
  /^shared\/aws\//,
  /^shared\/c1z\/(writer|reader|container|verify)\.ts$/,
];

/** Every `import … from 'x'`, `export … from 'x'` and `import('x')`, resolved to a repo path when relative. */
export function importsOf(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(
    /(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g,
  )) {
    const spec = (m[1] ?? m[2] ?? m[3])!;
    out.push(spec.startsWith('.') ? normalize(join(dirname(file), spec)) : spec);
  }
  return out;
}

/** The rule a `file → target` import breaks, if any. */
export function violation(file: string, target: string): string | undefined {
  if (file.startsWith('shared/') && /^(lambdas|bin|test)\//.test(target)) return 'shared/ must not import lambdas/, bin/ or test/';
  const app = /^lambdas\/([^/]+)\/(.*)$/.exec(file);
  if (!app) return undefined;
  const [, name, rest] = app;
  const entry = rest === 'handler.ts' || rest === 'index.ts';
  if (rest!.startsWith('sim/') || entry) return undefined;
  if (FORBIDDEN_IN_CONNECTORS.some((re) => re.test(target))) return 'a connector must not import AWS, SQLite or filesystem code';
  if (target.startsWith(`lambdas/${name}/sim/`) || /^shared\/([^/]+\/)?sim\//.test(target)) return "only a connector's index.ts may reach its simulator";
  return undefined;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== 'node_modules' && e.name !== 'gen') out.push(...sourceFiles(path));
    } else if (/\.(ts|js|mjs)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

describe('layering', () => {
  it('no import in shared/, lambdas/ or bin/ breaks a rule', () => {
    const broken: string[] = [];
    for (const file of ['shared', 'lambdas', 'bin'].flatMap(sourceFiles)) {
      for (const target of importsOf(file, readFileSync(join(ROOT, file), 'utf8'))) {
        const rule = violation(relative('.', file), target);
        if (rule) broken.push(`${file} imports ${target}: ${rule}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the checker catches each kind of violation (and passes what is allowed)', () => {
    const check = (file: string, line: string) =>
      importsOf(file, line)
        .map((t) => violation(file, t))
        .find(Boolean);
    expect(check('shared/sync/engine.ts', "import { x } from '../../lambdas/slack/connector.ts';")).toMatch(/shared\/ must not/);
    expect(check('shared/http/client.ts', "const m = await import('../../test/support/aws.ts');")).toMatch(/shared\/ must not/);
    expect(check('lambdas/slack/client.ts', "import { S3Client } from '@aws-sdk/client-s3';")).toMatch(/AWS, SQLite or filesystem/);
    expect(check('lambdas/segment/resources/user.ts', "import { readFile } from 'node:fs/promises';")).toMatch(/AWS, SQLite or filesystem/);
    expect(check('lambdas/segment/resources/user.ts', "import Database from 'better-sqlite3';")).toMatch(/AWS, SQLite or filesystem/);
    expect(check('lambdas/slack/connector.ts', "export { uploadC1z } from '../../shared/aws/upload.ts';")).toMatch(/AWS, SQLite or filesystem/);
    expect(check('lambdas/slack/connector.ts', "import { simulator } from './sim/index.ts';")).toMatch(/simulator/);
    expect(check('lambdas/slack/client.ts', "import { WEB_METHODS } from '../../shared/slack/sim/limits.ts';")).toMatch(/simulator/);
    expect(check('lambdas/slack/handler.ts', "import { makeSyncHandler } from '../../shared/aws/handler.ts';")).toBeUndefined();
    expect(check('lambdas/slack/index.ts', "export const simulator = async () => (await import('./sim/index.ts')).simulator;")).toBeUndefined();
    expect(check('lambdas/slack/sim/server.ts', "import { readFileSync } from 'node:fs';")).toBeUndefined();
    expect(check('lambdas/slack/client.ts', "import { z } from 'zod';")).toBeUndefined();
  });
});
