// The eight synthetic roles of each workspace; their grants come from the workspace.

import { workspaceRoleListing } from '../../../shared/slack/resources.ts';
import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import type { SlackContext } from '../context.ts';
import { workspaceName } from '../workspaces.ts';

export { roleResource } from '../../../shared/slack/resources.ts';

export function workspaceRoleSyncer(ctx: SlackContext): ResourceSyncer {
  return workspaceRoleListing((workspaceId) => workspaceName(ctx, workspaceId));
}
