// Apps (all, or only ACTIVE ones) and their access grants: assigned users, then assigned groups.
import { type Grant, RawIdSchema, type Resource, V1IdentifierSchema } from '../../../shared/c1z/messages.ts';
import type { Page, ResourceSyncer } from '../../../shared/sync/connector.ts';
import { appTrait, entitlement, grant, Purpose, pack, profile, resource, resourceId } from '../../../shared/sync/model.ts';
import type { OktaApp } from '../client.ts';
import type { OktaContext } from '../context.ts';
import { isNotFound } from '../errors.ts';
import { appProvisioning } from '../provisioning.ts';
import { handBack, pageOf, shouldYield } from '../yield.ts';
import { ACCESS, appType, groupType, userType, v1 } from './types.ts';
import { includedByDomains } from './user.ts';

export function appResource(app: OktaApp): Resource {
  return resource({
    type: appType.id,
    id: app.id,
    displayName: app.label,
    annotations: [appTrait(), pack(V1IdentifierSchema, { id: app.id }), pack(RawIdSchema, { id: app.id })],
    profile: profile({ status: app.status }),
  });
}

export function appGrant(app: Resource, principal: { type: string; id: string }): Grant {
  return grant(app, ACCESS, resourceId(principal.type, principal.id), {
    annotations: [pack(V1IdentifierSchema, { id: v1.grant(v1.membership(app.id?.resource ?? ''), principal.id) })],
  });
}

// Page tokens: `u:<after>` for users, `g:<after>` for groups; none = users from the start.
async function grantsPage(ctx: OktaContext, res: Resource, token: string | undefined): Promise<Page<Grant>> {
  const appId = res.id?.resource ?? '';
  const phase = token?.startsWith('g:') ? 'g' : 'u';
  const after = token ? token.slice(2) || undefined : undefined;
  try {
    if (phase === 'u') {
      const page = await ctx.client.appUsers(appId, after);
      const rows = page.items
        .filter((u) => ctx.config.filterEmailDomains.length === 0 || includedByDomains(u.profile, ctx.config.filterEmailDomains))
        .map((u) => appGrant(res, { type: userType.id, id: u.id }));
      return { rows, nextPageToken: page.after ? `u:${page.after}` : 'g:' };
    }
    const page = await ctx.client.appGroups(appId, after);
    return { rows: page.items.map((g) => appGrant(res, { type: groupType.id, id: g.id })), nextPageToken: page.after ? `g:${page.after}` : undefined };
  } catch (err) {
    if (!isNotFound(err)) throw err;
    ctx.runtime.log('okta: app deleted during the sync; its grants are skipped', { appId });
    return { rows: [] };
  }
}

/** Every app, read once per process (they are listed with the group pages, see group.ts). */
export function appLister(ctx: OktaContext): () => Promise<Resource[]> {
  let loading: Promise<Resource[]> | undefined;
  return () => {
    loading ??= (async () => {
      const out: Resource[] = [];
      let after: string | undefined;
      do {
        const page = await ctx.client.apps(after);
        out.push(...page.items.map(appResource));
        after = page.after;
      } while (after);
      return out;
    })();
    // A failed read must not stick: the engine retries the page.
    loading.catch(() => (loading = undefined));
    return loading;
  };
}

export function appSyncer(ctx: OktaContext): ResourceSyncer {
  return {
    resourceType: appType,
    // Assignments are calls of its own, on the apps bucket: they run beside the user listing.
    accessWhileListing: true,
    // Listed by the group syncer, interleaved with the groups.
    async list() {
      return { rows: [] };
    },
    async entitlements(res) {
      const name = res.displayName;
      return {
        rows: [
          entitlement(res, ACCESS, {
            purpose: Purpose.ASSIGNMENT,
            displayName: `${name} App Access`,
            description: `Has access to the ${name} app in Okta`,
            annotations: [pack(V1IdentifierSchema, { id: v1.membership(res.id?.resource ?? '') })],
          }),
        ],
      };
    },
    async grants(res, token) {
      if (await shouldYield(ctx.client, 'apps')) return { rows: [], nextPageToken: handBack(token, 'u:') };
      return grantsPage(ctx, res, pageOf(token));
    },
    ...appProvisioning(ctx),
  };
}
