// One connector instance behind the loopback webhook server, with its simulator's latest sync as
// the c1z, and helpers to re-sync and list grant ids.
import { join } from 'node:path';
import { openC1z } from '../../../shared/c1z/reader.ts';
import type { AuditLine, ProvisionAudit } from '../../../shared/provisioning/audit.ts';
import { fileC1z } from '../../../shared/provisioning/c1z-source.ts';
import { startWebhookServer, type WebhookServer } from '../../../shared/provisioning/http-server.ts';
import { createInstance } from '../../../shared/provisioning/instance.ts';
import { MemoryReplayStore } from '../../../shared/provisioning/replay.ts';
import { createVerifier, remoteJwks } from '../../../shared/provisioning/verify.ts';
import { parseConnectorConfig, secretValuesOf } from '../../../shared/sync/config.ts';
import type { ConnectorDefinition } from '../../../shared/sync/connector.ts';
import { syncToFile } from '../../../shared/sync/run-sync.ts';
import { type Issuer, TENANT } from './harness.ts';

export const FAST_HTTP = { baseBackoffMs: 2, maxBackoffMs: 5, maxRetries: 2 };

export interface Local {
  server: WebhookServer;
  url(instance?: string): string;
  audit: AuditLine[];
  rejected: string[];
  /** A fresh sync of the simulator: its grant ids. */
  grantIds(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startLocal(
  issuer: Issuer,
  definition: ConnectorDefinition<unknown>,
  secretMap: Record<string, string>,
  dir: string,
  options: { budgetMs?: number; c1zPath?: string } = {},
): Promise<Local> {
  const c1zPath = options.c1zPath ?? join(dir, 'sync.c1z');
  if (!options.c1zPath) await syncToFile({ connector: definition, secretMap, out: c1zPath, httpOverrides: FAST_HTTP });
  const instance = createInstance({
    id: definition.name,
    definition,
    config: parseConnectorConfig(definition, secretMap),
    secrets: secretValuesOf(secretMap),
    c1z: fileC1z(c1zPath),
    httpOverrides: FAST_HTTP,
  });
  const audit: AuditLine[] = [];
  const rejected: string[] = [];
  const sink: ProvisionAudit = { record: (l) => audit.push(l), rejected: (r) => rejected.push(r) };
  const server = await startWebhookServer({
    verify: createVerifier({ tenant: TENANT, jwks: remoteJwks(issuer.jwksUrl), replay: new MemoryReplayStore() }),
    instance: async (id) => (id === instance.id ? instance : undefined),
    audit: sink,
    budgetMs: options.budgetMs,
  });
  let n = 0;
  return {
    server,
    url: (id = definition.name) => `${server.url}/${id}`,
    audit,
    rejected,
    async grantIds() {
      const out = join(dir, `after-${++n}.c1z`);
      await syncToFile({ connector: definition, secretMap, out, httpOverrides: FAST_HTTP });
      const reader = await openC1z(out);
      try {
        return [...reader.grants()].map((g) => g.id).sort();
      } finally {
        reader.close();
      }
    },
    close: () => server.close(),
  };
}
