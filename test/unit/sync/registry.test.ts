// What the registry says of each connector without loading its code must be what the connector is:
// its provisioning flag matches its syncers' grant/revoke, every config key has help, and the
// README's key table lists exactly the schema's keys.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { connectorConfigFields, connectorModule, connectorNames, provisioningConnectors } from '../../../lambdas/index.ts';
import { parseConnectorConfig } from '../../../shared/sync/config.ts';
import { createRuntime } from '../../../shared/sync/runtime.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;

/** The keys named in the first cell of the README's key table rows (`| \`BATON_X\`, \`BATON_Y\` | … |`). */
function readmeKeys(name: string): string[] {
  const text = readFileSync(`${ROOT}lambdas/${name}/README.md`, 'utf8');
  const keys = new Set<string>();
  for (const line of text.split('\n')) {
    const first = /^\|([^|]*)\|/.exec(line)?.[1] ?? '';
    for (const m of first.matchAll(/`(BATON_[A-Z0-9_]+)`/g)) keys.add(m[1]!);
  }
  return [...keys].sort();
}

describe.each(connectorNames)('%s', (name) => {
  const module = connectorModule(name);

  it('provisions exactly when one of its syncers grants and revokes', async () => {
    const sim = await (await module.simulator()).start({ users: 5, rateLimits: 'off' });
    try {
      const definition = await module.load();
      const connector = definition.create(parseConnectorConfig(definition, sim.config), createRuntime());
      const syncers = connector.resourceSyncers();
      for (const s of syncers)
        expect(typeof s.grant === 'function', `${s.resourceType.id}: grant and revoke come together`).toBe(typeof s.revoke === 'function');
      expect(module.provisioning).toBe(syncers.some((s) => s.grant && s.revoke));
      expect(provisioningConnectors.includes(name)).toBe(module.provisioning);
      expect(definition.configSchema, 'the schema the registry reads is the one the connector parses with').toBe(module.configSchema);
    } finally {
      await sim.server.close();
    }
  });

  it('every config key has help, and the README key table lists exactly those keys', () => {
    const fields = connectorConfigFields().find((c) => c.connector === name)!.fields;
    expect(fields.length).toBeGreaterThan(0);
    for (const f of fields) expect(f.help, f.key).not.toBe('');
    expect(readmeKeys(name), `lambdas/${name}/README.md key table`).toEqual(fields.map((f) => f.key).sort());
  });

  it('a missing required key is named with its help', () => {
    const required = connectorConfigFields()
      .find((c) => c.connector === name)!
      .fields.filter((f) => f.required);
    const definition = { name, configSchema: module.configSchema, create: () => ({}) as never };
    const message = (() => {
      try {
        parseConnectorConfig(definition, {});
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    for (const f of required) expect(message).toContain(`${f.key}: required key is missing (${f.help})`);
  });
});
