// The Slack Enterprise Grid connector: config, validate() (both tokens must belong to a Grid org),
// the six syncers and the enable/disable user actions.
import { type ConnectorDefinition, ConnectorError, type ResourceSyncer } from '../../shared/sync/connector.ts';
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

const notGrid = (key: string) =>
  new ConnectorError(
    CONNECTOR,
    'failed_precondition',
    `${key}: auth.test returned no enterprise_id, so this token is not from an Enterprise Grid org (use the slack connector for Pro and Business+ workspaces)`,
  );

export const connector: ConnectorDefinition<GridConfig> = {
  name: CONNECTOR,
  configSchema,
  create(config, runtime) {
    const ctx: GridContext = { client: new GridClient(config, runtime), state: new GridState(runtime.state), runtime, config };
    let enterpriseId = '';
    let botChecked: Promise<void> | undefined;

    // The bot token's half of the check. The connector state cannot be read before the sync
    // database is open (validate() runs first), so it is done at this process's first sync call:
    // once per sync, as the state remembers it passed; a later slice relies on validate()'s admin
    // check, and a bot token revoked since fails at its first call naming BATON_TOKEN. Without
    // validate() (a caller that asked for no check) there is nothing to complete.
    async function checkBotToken(): Promise<void> {
      if (!enterpriseId || ctx.state.tokensCheckedFor() === enterpriseId) return;
      const bot = await ctx.client.authTestBot();
      if (!bot.enterprise_id) throw notGrid('BATON_TOKEN');
      if (bot.enterprise_id !== enterpriseId)
        throw new ConnectorError(CONNECTOR, 'failed_precondition', 'BATON_TOKEN and BATON_ENTERPRISE_TOKEN belong to different Enterprise Grid orgs');
      ctx.state.markTokensChecked(enterpriseId);
    }
    const tokensChecked = () =>
      (botChecked ??= checkBotToken().catch((err: unknown) => {
        // A failed attempt must not stick: the engine retries the page with a fresh one.
        botChecked = undefined;
        throw err;
      }));
    const checked = (syncer: ResourceSyncer): ResourceSyncer => ({
      ...syncer,
      list: (parent, pageToken) => tokensChecked().then(() => syncer.list(parent, pageToken)),
      entitlements: (res, pageToken) => tokensChecked().then(() => syncer.entitlements(res, pageToken)),
      grants: (res, pageToken) => tokensChecked().then(() => syncer.grants(res, pageToken)),
    });

    return {
      async validate() {
        const admin = await ctx.client.authTestAdmin();
        if (!admin.enterprise_id) throw notGrid('BATON_ENTERPRISE_TOKEN');
        if (admin.bot_id)
          throw new ConnectorError(CONNECTOR, 'invalid_argument', 'BATON_ENTERPRISE_TOKEN is a bot token; it must be the org-level user token (xoxp-…)');
        enterpriseId = admin.enterprise_id;
      },
      resourceSyncers() {
        return [userSyncer(ctx), workspaceSyncer(ctx), workspaceRoleSyncer(ctx), enterpriseRoleSyncer(ctx), userGroupSyncer(ctx), idpGroupSyncer(ctx)].map(
          checked,
        );
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
