// API tokens as secrets (BATON_SYNC_SECRETS): who owns each, when it was made, used and expires.
import { timestampFromDate } from '@bufbuild/protobuf/wkt';
import { type Resource, SecretTrait_CredentialType, SecretTraitSchema } from '../../../shared/c1z/messages.ts';
import type { ResourceSyncer } from '../../../shared/sync/connector.ts';
import { pack, resource, resourceId } from '../../../shared/sync/model.ts';
import type { ApiToken } from '../client.ts';
import type { OktaContext } from '../context.ts';
import { apiTokenType, userType } from './types.ts';

function ts(v: string | null | undefined) {
  if (!v) return undefined;
  const d = new Date(v);
  return Number.isNaN(d.getTime()) ? undefined : timestampFromDate(d);
}

export function apiTokenResource(t: ApiToken): Resource {
  const owner = t.userId ? resourceId(userType.id, t.userId) : undefined;
  const res = resource({
    type: apiTokenType.id,
    id: t.id,
    displayName: t.name,
    annotations: [
      pack(SecretTraitSchema, {
        expiresAt: ts(t.expiresAt),
        lastUsedAt: ts(t.lastUpdated),
        identityId: owner,
        createdById: owner,
        credentialType: SecretTrait_CredentialType.STATIC_SECRET,
        credentialDetail: 'okta.api_token',
      }),
    ],
  });
  res.createdAt = ts(t.created);
  return res;
}

export function apiTokenSyncer(ctx: OktaContext): ResourceSyncer {
  return {
    resourceType: apiTokenType,
    async list(parent, pageToken) {
      if (parent) return { rows: [] };
      const page = await ctx.client.apiTokens(pageToken);
      return { rows: page.items.map(apiTokenResource), nextPageToken: page.after };
    },
    async entitlements() {
      return { rows: [] };
    },
    async grants() {
      return { rows: [] };
    },
  };
}
