// The five resource types (README.md, What it syncs) and the ids shared between syncers: the same as Slack Enterprise's.
export {
  ASSIGNED,
  idpGroupType,
  MEMBER,
  type RoleKey,
  userGroupType,
  userType,
  WORKSPACE_ROLES,
  workspaceRoleType,
  workspaceType,
} from '../../../shared/slack/resources.ts';
