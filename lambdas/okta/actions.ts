// baton-okta's two account actions: enable_user (activate a STAGED user, unsuspend a SUSPENDED one)
// and disable_user (suspend). Each reads the user first, so a repeat is `unchanged`.
import { type ConnectorAction, ConnectorError } from '../../shared/sync/connector.ts';
import type { OktaClient } from './client.ts';
import { CONNECTOR, describeOktaError, OktaApiError } from './errors.ts';
import { DISABLED_STATUSES, ENABLED_STATUSES } from './resources/user.ts';

function userIdOf(args: Record<string, string>): string {
  const id = args.user_id;
  if (id === undefined || id === '') throw new ConnectorError(CONNECTOR, 'invalid_argument', 'user_id cannot be empty');
  return id;
}

async function lifecycle(client: OktaClient, id: string, op: 'suspend' | 'unsuspend' | 'activate'): Promise<void> {
  try {
    await client.lifecycle(id, op);
  } catch (err) {
    if (err instanceof OktaApiError) throw new ConnectorError(CONNECTOR, err.code, `${op} user ${id}: ${describeOktaError(err)}`, { cause: err });
    throw err;
  }
}

async function statusOf(client: OktaClient, id: string): Promise<string> {
  try {
    return (await client.user(id)).status;
  } catch (err) {
    if (err instanceof OktaApiError) throw new ConnectorError(CONNECTOR, err.code, `reading user ${id}: ${describeOktaError(err)}`, { cause: err });
    throw err;
  }
}

export function oktaActions(client: OktaClient): Record<string, ConnectorAction> {
  return {
    enable_user: {
      description: 'Activate a STAGED Okta user or unsuspend a SUSPENDED one',
      args: ['user_id'],
      async run(args) {
        const id = userIdOf(args);
        const status = await statusOf(client, id);
        if (ENABLED_STATUSES.has(status)) return 'unchanged';
        if (status === 'STAGED') await lifecycle(client, id, 'activate');
        else if (status === 'SUSPENDED') await lifecycle(client, id, 'unsuspend');
        else
          throw new ConnectorError(
            CONNECTOR,
            'failed_precondition',
            `user ${id} is ${status}; enable_user activates STAGED users and unsuspends SUSPENDED ones`,
          );
        return 'changed';
      },
    },
    disable_user: {
      description: 'Suspend an Okta user',
      args: ['user_id'],
      async run(args) {
        const id = userIdOf(args);
        const status = await statusOf(client, id);
        if (DISABLED_STATUSES.has(status)) return 'unchanged';
        if (!ENABLED_STATUSES.has(status)) throw new ConnectorError(CONNECTOR, 'failed_precondition', `user ${id} is ${status}; it cannot be suspended`);
        await lifecycle(client, id, 'suspend');
        return 'changed';
      },
    },
  };
}
