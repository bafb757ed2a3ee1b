// `baton-serverless grant|revoke <connector> --entitlement ID --principal ID`: one provisioning
// action against the app (or its simulator), ids as the connector synced them.
import type { AuditLine } from '../../shared/provisioning/audit.ts';
import { executeProvision } from '../../shared/provisioning/execute.ts';
import { localInstance } from './provision-local.ts';

export interface GrantOptions {
  connector: string;
  entitlement: string;
  principal: string;
  c1z?: string;
  json?: boolean;
}

export async function grantCommand(
  action: 'grant' | 'revoke',
  values: GrantOptions,
  out: (s: string) => void,
  err: (s: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const log = (s: string) => {
    if (!values.json) err(s);
  };
  const { instance, cleanup } = await localInstance(values.connector, values.c1z, env, log);
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
