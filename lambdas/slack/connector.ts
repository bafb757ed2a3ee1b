// The Slack connector (Pro and Business+): config, validate(), the five syncers and the
// enable/disable user actions.

import { CONNECTOR } from '../../shared/slack/errors.ts';
import { type ConnectorDefinition, ConnectorError } from '../../shared/sync/connector.ts';
import { slackActions } from './actions.ts';
import { SlackClient } from './client.ts';
import { configSchema, type SlackConfig } from './config.ts';
import type { SlackContext } from './context.ts';
import { idpGroupSyncer } from './resources/idp-group.ts';
import { userSyncer } from './resources/user.ts';
import { userGroupSyncer } from './resources/user-group.ts';
import { workspaceSyncer } from './resources/workspace.ts';
import { workspaceRoleSyncer } from './resources/workspace-role.ts';
import { SyncState } from './state.ts';

export const connector: ConnectorDefinition<SlackConfig> = {
  name: CONNECTOR,
  configSchema: configSchema,
  create(config, runtime) {
    const ctx: SlackContext = { client: new SlackClient(config, runtime), state: new SyncState(runtime.state), runtime, gov: config.gov };
    return {
      async validate() {
        const who = await ctx.client.authTest();
        // Any bot token passes, as in Go, and auth.test already says it is one.
        if (who.bot_id) return;
        const user = await ctx.client.userInfo(who.user_id);
        if (user.is_admin || user.is_owner || user.is_primary_owner || user.is_bot) return;
        throw new ConnectorError(CONNECTOR, 'permission_denied', 'BATON_TOKEN: authenticated user is not an admin, owner, primary owner or a bot');
      },
      resourceSyncers() {
        return [workspaceSyncer(ctx), userSyncer(ctx), userGroupSyncer(ctx), workspaceRoleSyncer(ctx), idpGroupSyncer(ctx)];
      },
      actions() {
        return slackActions(ctx.client);
      },
      describe() {
        return `mode=${ctx.client.hasScim ? 'business-plus' : 'standard'} gov=${config.gov}`;
      },
    };
  },
};
