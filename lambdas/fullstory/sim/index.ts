// `baton-serverless sim fullstory` / `demo`: a seeded org served in one of the two modes.
// extra: mode ('scim' default | 'apikey'), scimPageCap, apiPageSize.
import { type AppSimulator, applyGenericFault } from '../../../shared/sim/kit.ts';
import { startFullstorySim } from './server.ts';
import { generateTenant } from './tenant.ts';

export { type FullstorySim, type FullstorySimOptions, SCIM_PREFIX, startFullstorySim } from './server.ts';
export { type EndUser, type FullstoryTenant, generateTenant, type ScimUser } from './tenant.ts';

export const simulator: AppSimulator = {
  name: 'fullstory',
  settings: {
    mode: { kind: 'choice', values: ['scim', 'apikey'], help: 'which API the tenant is served through (default scim)' },
    scimPageCap: { kind: 'number', min: 1, help: 'largest SCIM page the server returns' },
    apiPageSize: { kind: 'number', min: 1, help: 'page size of GET /v2/users' },
  },
  async start(options) {
    const extra = options.extra ?? {};
    const mode = extra.mode === 'apikey' ? 'apikey' : 'scim';
    const tenant = generateTenant({ seed: options.seed, users: options.users });
    const sim = await startFullstorySim({
      tenant,
      port: options.port,
      rateLimits: options.rateLimits,
      scimPageCap: typeof extra.scimPageCap === 'number' ? extra.scimPageCap : undefined,
      apiPageSize: typeof extra.apiPageSize === 'number' ? extra.apiPageSize : undefined,
    });
    const users = mode === 'scim' ? tenant.seats.length : tenant.endUsers.length;
    // One `user` type; neither mode has entitlements or grants.
    return {
      server: sim.server,
      config: sim.config(mode),
      expected: { resourceTypes: 1, resources: users, entitlements: 0, grants: 0 },
      fault(request) {
        if (applyGenericFault(sim.server, request)) return;
        if (request.kind === '429') sim.failWith(429, { times: request.count, retryAfterSeconds: request.retryAfterSec ?? 1 });
        else if (request.kind === 'revoked') sim.failWith(401, { times: request.count });
        else throw new Error(`fullstory has no ${request.kind} fault: it throttles with HTTP 429 and Retry-After only`);
      },
    };
  },
};
