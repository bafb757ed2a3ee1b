// The Slack Enterprise Grid connector: config, validate() (both tokens must belong to a Grid org),
// the six syncers and the enable/disable user actions.
import { type ConnectorDefinition, ConnectorError } from '../../shared/sync/connector.ts';
import { gridActions } from './actions.ts';
import { CONNECTOR, GridClient } from './client.ts';
import { configSchema, type GridConfig } from './config.ts';
import type { GridContext } from './context.ts';
import { enterpriseRoleSyncer } from './resources/enterprise-role.ts';
import { idpGroupSyncer } from './resources/idp-group.ts';
import { userSyncer } from './resources/user.ts';
import { userGroupSyncer } from './resources/user-group.ts';
import { workspaceSyncer } from './resources/workspace.ts';
import { workspaceRoleSyncer } from './resources/workspace-role.ts';
import { GridState } from './state.ts';

export const connector: ConnectorDefinition<GridConfig> = {
  name: CONNECTOR,
  configSchema,
  create(config, runtime) {
    const ctx: GridContext = { client: new GridClient(config, runtime), state: new GridState(), runtime, config };
    return {
      async validate() {
        const [bot, admin] = await Promise.all([ctx.client.authTestBot(), ctx.client.authTestAdmin()]);
        const notGrid = (key: string) =>
          new ConnectorError(
            CONNECTOR,
            'failed_precondition',
            `${key}: auth.test returned no enterprise_id, so this token is not from an Enterprise Grid org (use the slack connector for Pro and Business+ workspaces)`,
          );
        if (!admin.enterprise_id) throw notGrid('BATON_ENTERPRISE_TOKEN');
        if (!bot.enterprise_id) throw notGrid('BATON_TOKEN');
        if (bot.enterprise_id !== admin.enterprise_id)
          throw new ConnectorError(CONNECTOR, 'failed_precondition', 'BATON_TOKEN and BATON_ENTERPRISE_TOKEN belong to different Enterprise Grid orgs');
        if (admin.bot_id)
          throw new ConnectorError(CONNECTOR, 'invalid_argument', 'BATON_ENTERPRISE_TOKEN is a bot token; it must be the org-level user token (xoxp-…)');
      },
      resourceSyncers() {
        return [userSyncer(ctx), workspaceSyncer(ctx), workspaceRoleSyncer(ctx), enterpriseRoleSyncer(ctx), userGroupSyncer(ctx), idpGroupSyncer(ctx)];
      },
      actions() {
        return gridActions(ctx.client);
      },
      describe() {
        return `sso=${config.sso} gov=${config.gov}`;
      },
    };
  },
};
