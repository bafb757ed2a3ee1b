// `baton-serverless webhook <connector>` run in-process on a loopback port for provisioning tests,
// and the grant ids a fresh sync writes (to see each provisioning change land).
import { webhookCommand } from '../../bin/cli/webhook.ts';
import { openC1z } from '../../shared/c1z/reader.ts';
import type { ConnectorDefinition } from '../../shared/sync/connector.ts';
import { syncToFile } from '../../shared/sync/run-sync.ts';

export interface ServedWebhook {
  url: string;
  close(): Promise<void>;
}

/** Starts the webhook for `connector` with `secrets` as its environment; resolves once it announces its URL. */
export async function serveWebhook(
  connector: string,
  options: { tenant: string; jwksUrl: string; secrets: Record<string, string>; log?: (line: string) => void },
): Promise<ServedWebhook> {
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  let announced!: (line: string) => void;
  const ready = new Promise<string>((resolve) => (announced = resolve));
  const served = webhookCommand(
    { connector, port: 0, tenant: options.tenant, jwksUrl: options.jwksUrl },
    announced,
    options.log ?? (() => {}),
    { ...options.secrets },
    stopped,
  );
  const url = /at (\S+) /.exec(await ready)![1]!;
  return {
    url,
    async close() {
      stop();
      await served;
    },
  };
}

/** Syncs into `out` and returns every grant id the c1z holds. */
export async function syncedGrantIds<C>(connector: ConnectorDefinition<C>, secretMap: Record<string, string>, out: string): Promise<string[]> {
  await syncToFile({ connector, secretMap, out });
  const r = await openC1z(out);
  try {
    return [...r.grants()].map((g) => g.id);
  } finally {
    r.close();
  }
}
