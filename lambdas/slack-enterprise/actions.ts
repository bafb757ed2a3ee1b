// The account actions (enable/disable user) through SCIM with the org-level token. Each reads the
// user first so a repeat is `unchanged`.
import { type ConnectorAction, ConnectorError } from '../../shared/sync/connector.ts';
import { CONNECTOR, type GridClient } from './client.ts';

function userIdOf(args: Record<string, string>): string {
  const id = args.user_id;
  if (id === undefined) throw new ConnectorError(CONNECTOR, 'invalid_argument', 'user_id parameter is required');
  if (id === '') throw new ConnectorError(CONNECTOR, 'invalid_argument', 'user_id cannot be empty');
  return id;
}

export function gridActions(client: GridClient): Record<string, ConnectorAction> {
  return {
    disable_user: {
      description: 'Deactivate a Slack Enterprise Grid user through SCIM',
      args: ['user_id'],
      async run(args) {
        const id = userIdOf(args);
        if (!(await client.scim.user(id)).active) return 'unchanged';
        await client.scim.deactivateUser(id);
        return 'changed';
      },
    },
    enable_user: {
      description: 'Reactivate a Slack Enterprise Grid user through SCIM',
      args: ['user_id'],
      async run(args) {
        const id = userIdOf(args);
        if ((await client.scim.user(id)).active) return 'unchanged';
        await client.scim.activateUser(id);
        return 'changed';
      },
    },
  };
}
