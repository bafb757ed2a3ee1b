// `baton-serverless grant|revoke <connector> --entitlement ID --principal ID`: one provisioning
// action against the app (or its simulator), ids as the connector synced them.
import { parseArgs } from 'node:util';
import type { AuditLine } from '../../shared/provisioning/audit.ts';
import { executeProvision } from '../../shared/provisioning/execute.ts';
import { localInstance } from './provision-local.ts';
import { connectorNames } from './registry.ts';
import { UsageError } from './usage.ts';

export async function grantCommand(
  action: 'grant' | 'revoke',
  argv: string[],
  out: (s: string) => void,
  err: (s: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { entitlement: { type: 'string' }, principal: { type: 'string' }, c1z: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (positionals.length !== 1 || !values.entitlement || !values.principal) {
    throw new UsageError(`usage: baton-serverless ${action} <${connectorNames.join('|')}> --entitlement ID --principal [TYPE:]ID [--c1z FILE] [--json]`);
  }
  const log = (s: string) => {
    if (!values.json) err(s);
  };
  const { instance, cleanup } = await localInstance(positionals[0], values.c1z, env, log);
  try {
    let line: AuditLine | undefined;
    const audit = { record: (l: AuditLine) => (line = l), rejected: () => {} };
    const result = await executeProvision(instance, action, { kind: 'ids', entitlementId: values.entitlement, principalId: values.principal }, audit, 'cli');
    if (values.json) out(JSON.stringify({ ...result, ...line }));
    else out(result.comment);
    if (result.status !== 'complete') throw new Error(result.status === 'transient' ? `temporary failure, try again: ${result.comment}` : result.comment);
  } finally {
    await cleanup();
  }
}
