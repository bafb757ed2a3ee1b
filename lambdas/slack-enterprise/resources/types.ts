// The six resource types of baton-slack-enterprise and the ids shared between syncers; all but
// enterpriseRole are the Slack connector's too.
import { ResourceType_Trait } from '../../../shared/c1z/messages.ts';
import { resourceType } from '../../../shared/sync/model.ts';

export * from '../../../shared/slack/resources.ts';

export const enterpriseRoleType = resourceType({ id: 'enterpriseRole', displayName: 'Enterprise Role', traits: [ResourceType_Trait.ROLE] });

/** The org roles: always listed; their holders come from the org-wide user listing. */
export const ORG_ROLES = {
  organization_primary_owner: 'Organization primary owner',
  organization_owner: 'Organization owner',
  organization_admin: 'Organization admin',
} as const;
export type OrgRoleId = keyof typeof ORG_ROLES;

/** Grid's system roles by id; listed when admin.roles.listAssignments shows one assigned. */
export const SYSTEM_ROLES: Record<string, string> = {
  Rl0L: 'Analytics Admin',
  Rl0C: 'Audit Logs Admin',
  Rl01: 'Channel Admin',
  Rl0A: 'Channel Manager',
  Rl05: 'Conversation Admin',
  Rl09: 'DLP Admin',
  Rl0F: 'Exports Admin',
  Rl0D: 'Integrations Manager',
  Rl04: 'Message Activity Manager',
  Rl02: 'Role Admin',
  Rl0G: 'Sales Admin',
  Rl0H: 'Sales User',
  Rl0J: 'Security Admin',
  Rl0B: 'Slack Platform Developer',
  Rl03: 'User Admin',
  Rl0K: 'Workflow Admin',
};
