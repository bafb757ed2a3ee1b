// `baton-serverless webhook <connector> --port N --tenant T`: the provisioning endpoint on
// 127.0.0.1 for one connector, at `/<connector>`, until interrupted.

import type { InstanceHandle } from '../../shared/provisioning/execute.ts';
import { startWebhookServer } from '../../shared/provisioning/http-server.ts';
import { MemoryReplayStore } from '../../shared/provisioning/replay.ts';
import { createVerifier, jwksUrlFor, remoteJwks } from '../../shared/provisioning/verify.ts';
import { printable } from './printable.ts';
import { localInstance } from './provision-local.ts';
import { untilStopped } from './signals.ts';
import { UsageError } from './usage.ts';

export interface WebhookOptions {
  connector: string;
  port: number;
  tenant: string;
  jwksUrl?: string;
  c1z?: string;
  publicUrl?: string;
}

const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** The tenant is the token's issuer, a bare host: a URL here would make every real token fail. */
function checkTenant(tenant: string): void {
  if (HOST_NAME.test(tenant)) return;
  const host = /^[a-z]+:\/\/([^/]+)/i.exec(tenant)?.[1];
  const instead = host && HOST_NAME.test(host) ? `; use --tenant ${host}` : '';
  throw new UsageError(
    `webhook: --tenant takes your ConductorOne tenant's host name, e.g. acme.conductor.one, not ${JSON.stringify(printable(tenant))}${instead}`,
  );
}

function checkUrl(flag: string, raw: string | undefined): URL | undefined {
  if (raw === undefined) return undefined;
  let url: URL | undefined;
  try {
    url = /\s/.test(raw) ? undefined : new URL(raw);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname) {
    throw new UsageError(`webhook: --${flag} takes an http(s) URL such as https://example.com/path, not ${JSON.stringify(printable(raw))}`);
  }
  return url;
}

/** The rows are read now, so a corrupt file or another connector's fails at start, not on every delivery. */
async function checkRows(instance: InstanceHandle, c1z: string): Promise<void> {
  let types: string[];
  try {
    types = [...(await instance.c1z.rows()).resourceTypes()].map((t) => t.id);
  } catch (e) {
    throw new UsageError(`webhook: --c1z ${printable(c1z)} cannot be read: ${(e as Error).message}`);
  }
  const known = new Set(instance.connector.resourceSyncers().map((s) => s.resourceType.id));
  const foreign = types.filter((t) => !known.has(t));
  if (types.length === 0 || foreign.length > 0) {
    const what = types.length === 0 ? 'has no resource types' : `has resource types ${foreign.join(', ')} that ${instance.connectorName} does not sync`;
    throw new UsageError(`webhook: --c1z ${printable(c1z)} ${what}: give a sync of ${instance.connectorName} made with this configuration`);
  }
}

export async function webhookCommand(
  values: WebhookOptions,
  out: (s: string) => void,
  err: (s: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  stop?: Promise<unknown>,
): Promise<void> {
  checkTenant(values.tenant);
  const jwksUrl = checkUrl('jwks-url', values.jwksUrl);
  checkUrl('public-url', values.publicUrl);
  const { instance, cleanup } = await localInstance(values.connector, values.c1z, env, err);
  try {
    if (values.c1z) await checkRows(instance, values.c1z);
  } catch (e) {
    await cleanup();
    throw e;
  }
  const server = await startWebhookServer(
    {
      verify: createVerifier({
        tenant: values.tenant,
        jwks: remoteJwks(jwksUrl ?? jwksUrlFor(values.tenant)),
        replay: new MemoryReplayStore(),
      }),
      instance: async (id) => (id === instance.id ? instance : undefined),
      audit: {
        record: (l) => err(`${l.outcome}: ${l.action} ${l.entitlement} ${l.principal} (${l.durationMs} ms)${l.error ? `: ${l.error}` : ''}`),
        rejected: (reason) => err(`rejected: ${reason}`),
      },
    },
    { port: values.port, publicUrl: values.publicUrl },
  );
  out(
    `${instance.connectorName}: provisioning webhook at ${(values.publicUrl ?? server.url).replace(/\/+$/, '')}/${instance.id} (tenant ${values.tenant}); Ctrl-C stops`,
  );
  try {
    await (stop ?? untilStopped());
  } finally {
    await server.close();
    await cleanup();
  }
}
