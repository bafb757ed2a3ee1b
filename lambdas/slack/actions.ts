// The Go connector's two account actions (enable/disable user), through SCIM with the Business+ token. Each
// reads the user first so a repeat is `unchanged` (the Go code always sends the write).

import { CONNECTOR } from '../../shared/slack/errors.ts';
import { type ConnectorAction, ConnectorError } from '../../shared/sync/connector.ts';
import type { SlackClient } from './client.ts';

function userIdOf(args: Record<string, string>): string {
  const id = args.user_id;
  if (id === undefined) throw new ConnectorError(CONNECTOR, 'invalid_argument', 'user_id parameter is required');
  if (id === '') throw new ConnectorError(CONNECTOR, 'invalid_argument', 'user_id cannot be empty');
  return id;
}

function requireScim(client: SlackClient): void {
  if (!client.hasScim) throw new ConnectorError(CONNECTOR, 'unavailable', 'business+ client not available - SCIM API requires Business+ plan');
}

export function slackActions(client: SlackClient): Record<string, ConnectorAction> {
  return {
    disable_user: {
      description: 'Deactivate a Slack user through SCIM (Business+)',
      args: ['user_id'],
      async run(args) {
        const id = userIdOf(args);
        requireScim(client);
        if (!(await client.scimUser(id)).active) return 'unchanged';
        await client.scimDeactivateUser(id);
        return 'changed';
      },
    },
    enable_user: {
      description: 'Reactivate a Slack user through SCIM (Business+)',
      args: ['user_id'],
      async run(args) {
        const id = userIdOf(args);
        requireScim(client);
        if ((await client.scimUser(id)).active) return 'unchanged';
        await client.scimActivateUser(id);
        return 'changed';
      },
    },
  };
}
