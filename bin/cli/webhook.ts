// `baton-serverless webhook <connector> --port N --tenant T`: the provisioning endpoint on
// 127.0.0.1 for one connector, at `/<connector>`, until interrupted.
import { startWebhookServer } from '../../shared/provisioning/http-server.ts';
import { MemoryReplayStore } from '../../shared/provisioning/replay.ts';
import { createVerifier, jwksUrlFor, remoteJwks } from '../../shared/provisioning/verify.ts';
import { localInstance } from './provision-local.ts';
import { untilStopped } from './signals.ts';

export interface WebhookOptions {
  connector: string;
  port: number;
  tenant: string;
  jwksUrl?: string;
  c1z?: string;
  publicUrl?: string;
}

export async function webhookCommand(
  values: WebhookOptions,
  out: (s: string) => void,
  err: (s: string) => void,
  env: NodeJS.ProcessEnv = process.env,
  stop?: Promise<void>,
): Promise<void> {
  const { instance, cleanup } = await localInstance(values.connector, values.c1z, env, err);
  const server = await startWebhookServer(
    {
      verify: createVerifier({
        tenant: values.tenant,
        jwks: remoteJwks(values.jwksUrl ? new URL(values.jwksUrl) : jwksUrlFor(values.tenant)),
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
