// The stack is the BatonServerless construct (one implementation for this repository's app and for
// your own): for the default cdk.json its template is the one the stack made when it held every
// resource itself. The fixture is that template (`npx cdk synth -c 'connectors=["slack","segment","fullstory"]'`
// of commit 675fd5f, the last before the constructs), with asset hashes, version-hash suffixes and
// path metadata taken out.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../infra/bundling.ts';
import { syncNodeOptions } from '../../shared/sync/node-options.ts';
import { CDK_JSON, cleanupOutdirs, synth } from './helpers.ts';

afterAll(cleanupOutdirs);

type Template = { Resources: Record<string, any>; Outputs: Record<string, any>; Description?: string };
const BEFORE = withHeapCap(JSON.parse(readFileSync(join(REPO_ROOT, 'test/infra/fixtures/template-before-constructs.json'), 'utf8')) as Template);

/** Changed on purpose since: the sync functions' V8 flags gained an old-space cap. */
function withHeapCap(template: Template): Template {
  for (const r of Object.values(template.Resources)) {
    const env = r.Properties?.Environment?.Variables;
    if (env?.NODE_OPTIONS === '--max-semi-space-size=4') env.NODE_OPTIONS = syncNodeOptions().join(' ');
  }
  return template;
}

/** The template without what changes with the code (asset hashes, version suffixes) and CDK's own metadata. */
function normalized(template: Template): Template {
  const t = JSON.parse(JSON.stringify(template).replace(/(CurrentVersion[0-9A-F]{8})[0-9a-f]{32}/g, '$1')) as Template & Record<string, unknown>;
  delete t.Resources['CDKMetadata'];
  for (const r of Object.values(t.Resources)) {
    delete r.Metadata;
    if (r.Properties?.Code?.S3Key) r.Properties.Code.S3Key = '<asset>.zip';
  }
  for (const key of ['Conditions', 'Parameters', 'Rules']) delete t[key];
  return t;
}

// Replaced on purpose (alarms for sliced syncs): the duration alarm at 80 % of the timeout, and the
// dashboard rows that named it.
const replaced = (id: string) => /^Monitoring[a-z-]+Duration[0-9A-F]{8}$/.test(id) || id.startsWith('MonitoringDashboard');

describe('the repository stack built from the constructs', () => {
  // The connectors of the registry then, listed: connectors added since deploy more of the same.
  const context = { ...CDK_JSON.context, connectors: ['slack', 'segment', 'fullstory'] };
  const now = normalized(synth(context, { replace: true }).template.toJSON() as Template);

  it('has every resource of before, with the same logical id and the same properties', () => {
    for (const [id, resource] of Object.entries(BEFORE.Resources)) {
      if (replaced(id)) continue;
      expect(now.Resources[id], id).toEqual(resource);
    }
  });

  it('adds only the timed-out and stalled alarms, and drops only the duration alarms', () => {
    const added = Object.keys(now.Resources).filter((id) => !(id in BEFORE.Resources));
    const dropped = Object.keys(BEFORE.Resources).filter((id) => !(id in now.Resources));
    expect(
      added.every((id) => /^Monitoring[a-z-]+(TimedOut|Stalled)[0-9A-F]{8}$/.test(id)),
      added.join(', '),
    ).toBe(true);
    expect(added).toHaveLength(2 * 3);
    expect(
      dropped.every((id) => /^Monitoring[a-z-]+Duration[0-9A-F]{8}$/.test(id)),
      dropped.join(', '),
    ).toBe(true);
  });

  it('has the same outputs and description', () => {
    expect(now.Outputs).toEqual(BEFORE.Outputs);
    expect(now.Description).toEqual(BEFORE.Description);
  });
});
