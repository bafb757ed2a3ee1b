// `baton-serverless webhook <connector> --port N --tenant T`: the provisioning endpoint on
// 127.0.0.1 for one connector, at `/<connector>`, until interrupted.
import { parseArgs } from 'node:util';
import { startWebhookServer } from '../../shared/provisioning/http-server.ts';
import { MemoryReplayStore } from '../../shared/provisioning/replay.ts';
import { createVerifier, jwksUrlFor, remoteJwks } from '../../shared/provisioning/verify.ts';
import { localInstance } from './provision-local.ts';
import { connectorNames } from './registry.ts';
import { UsageError } from './usage.ts';

export async function webhookCommand(argv: string[], out: (s: string) => void, err: (s: string) => void, env: NodeJS.ProcessEnv = process.env, stop?: Promise<void>): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: 'string' },
      tenant: { type: 'string' },
      'jwks-url': { type: 'string' },
      c1z: { type: 'string' },
      'public-url': { type: 'string' },
    },
  });
  const port = Number(values.port ?? '0');
  if (positionals.length !== 1 || !values.tenant || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(
      `usage: baton-serverless webhook <${connectorNames.join('|')}> --port N --tenant TENANT [--jwks-url URL] [--c1z FILE] [--public-url URL]`,
    );
  }
  const { instance, cleanup } = await localInstance(positionals[0], values.c1z, env, err);
  const server = await startWebhookServer(
    {
      verify: createVerifier({
        tenant: values.tenant,
        jwks: remoteJwks(values['jwks-url'] ? new URL(values['jwks-url']) : jwksUrlFor(values.tenant)),
        replay: new MemoryReplayStore(),
      }),
      instance: async (id) => (id === instance.id ? instance : undefined),
      audit: {
        record: (l) => err(`${l.outcome}: ${l.action} ${l.entitlement} ${l.principal} (${l.durationMs} ms)${l.error ? `: ${l.error}` : ''}`),
        rejected: (reason) => err(`rejected: ${reason}`),
      },
    },
    { port, publicUrl: values['public-url'] },
  );
  out(`${instance.connectorName}: provisioning webhook at ${(values['public-url'] ?? server.url).replace(/\/+$/, '')}/${instance.id} (tenant ${values.tenant}); Ctrl-C stops`);
  try {
    await (stop ??
      new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      }));
  } finally {
    await server.close();
    await cleanup();
  }
}
