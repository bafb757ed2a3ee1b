// Fullstory's one resource type: both modes sync `user` rows, with no entitlements or grants.
import { ResourceType_Trait } from '../../../shared/c1z/messages.ts';
import { resourceType } from '../../../shared/sync/model.ts';

export const userResourceType = resourceType({
  id: 'user',
  displayName: 'User',
  traits: [ResourceType_Trait.USER],
  skipEntitlementsAndGrants: true,
});
