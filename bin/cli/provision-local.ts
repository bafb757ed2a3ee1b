// What `grant`, `revoke` and `webhook` share: the connector's config from BATON_* variables and
// the synced rows from --c1z, or from a fresh sync when none is given.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileC1z } from '../../shared/provisioning/c1z-source.ts';
import type { InstanceHandle } from '../../shared/provisioning/execute.ts';
import { createInstance } from '../../shared/provisioning/instance.ts';
import { parseConnectorConfig, secretValuesOf } from '../../shared/sync/config.ts';
import { runSync } from '../../shared/sync/run-sync.ts';
import { connectorName, loadConnector } from './registry.ts';

export interface LocalInstance {
  instance: InstanceHandle;
  /** Removes the temporary sync, if one was made. */
  cleanup(): Promise<void>;
}

export function batonEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([k, v]) => k.startsWith('BATON_') && v !== undefined)) as Record<string, string>;
}

export async function localInstance(
  name: string | undefined,
  c1z: string | undefined,
  env: NodeJS.ProcessEnv,
  log: (s: string) => void,
): Promise<LocalInstance> {
  const connector = connectorName(name);
  const definition = await loadConnector(connector);
  const map = batonEnv(env);
  const config = parseConnectorConfig(definition, map, 'config (from BATON_* environment variables)');
  const secrets = secretValuesOf(map);
  let file = c1z ? resolve(c1z) : undefined;
  let tmp: string | undefined;
  if (!file) {
    // baton's one-shot mode reads sync.c1z; without one, sync first so the rows are current.
    tmp = await mkdtemp(join(tmpdir(), 'baton-provision-'));
    file = join(tmp, 'sync.c1z');
    log(`${connector}: no --c1z given, syncing first…`);
    await runSync({ definition, config, secretValues: secrets, out: file, workRoot: tmp });
  }
  return {
    instance: createInstance({ id: connector, definition, config, secrets, c1z: fileC1z(file) }),
    cleanup: async () => {
      if (tmp) await rm(tmp, { recursive: true, force: true });
    },
  };
}
