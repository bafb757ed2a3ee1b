// The Okta connector: config, validate() (can this token read users?), the syncers baton-okta
// has (custom roles and secrets behind its flags) and the enable/disable user actions.
import { type ConnectorDefinition, ConnectorError, type ResourceSyncer } from '../../shared/sync/connector.ts';
import { oktaActions } from './actions.ts';
import { OktaClient } from './client.ts';
import { configSchema, type OktaConfig } from './config.ts';
import type { OktaContext } from './context.ts';
import { CONNECTOR, isAccessDenied } from './errors.ts';
import { apiTokenSyncer } from './resources/api-token.ts';
import { appLister, appSyncer } from './resources/app.ts';
import { customRoleSyncer } from './resources/custom-role.ts';
import { groupSyncer } from './resources/group.ts';
import { resourceSetBindingSyncer, resourceSetSyncer } from './resources/resource-set.ts';
import { roleSyncer } from './resources/role.ts';
import { userSyncer } from './resources/user.ts';

const ADMIN_ROLE_HINT =
  "an OAuth service app needs an admin role besides its scopes (Okta Admin Console: the app → Admin roles → e.g. Read-Only Administrator); an API token acts with its creator's admin role";

export const connector: ConnectorDefinition<OktaConfig> = {
  name: CONNECTOR,
  configSchema,
  create(config, runtime) {
    const client = new OktaClient(config, runtime);
    const ctx: OktaContext = { client, config, runtime };
    const key = client.usesOAuth ? 'BATON_OKTA_CLIENT_ID' : 'BATON_API_TOKEN';
    return {
      async validate() {
        let page: Awaited<ReturnType<OktaClient['probeUsers']>>;
        try {
          page = await client.probeUsers();
        } catch (err) {
          if (isAccessDenied(err))
            throw new ConnectorError(CONNECTOR, 'permission_denied', `${key} may not list users (403 E0000006): ${ADMIN_ROLE_HINT}`, { cause: err });
          throw err;
        }
        // Every org has at least the admin behind a token; an empty list is Okta hiding users.
        if (page.items.length === 0) {
          throw new ConnectorError(
            CONNECTOR,
            'permission_denied',
            `${key} can call Okta but sees no users (GET /api/v1/users answered 200 with an empty list): ${ADMIN_ROLE_HINT}; refusing to sync an "empty" org`,
          );
        }
      },
      resourceSyncers() {
        const syncers: ResourceSyncer[] = [userSyncer(ctx), groupSyncer(ctx, appLister(ctx)), roleSyncer(ctx), appSyncer(ctx)];
        if (config.syncCustomRoles) syncers.push(customRoleSyncer(ctx), resourceSetSyncer(ctx), resourceSetBindingSyncer(ctx));
        if (config.syncSecrets) syncers.push(apiTokenSyncer(ctx));
        return syncers;
      },
      actions() {
        return oktaActions(client);
      },
      describe() {
        return `auth=${client.usesOAuth ? 'oauth' : 'ssws'} customRoles=${config.syncCustomRoles} secrets=${config.syncSecrets} share=${Math.round(config.rateLimitShare * 100)}%`;
      },
    };
  },
};
