// Fullstory's SCIM 2.0 Users endpoint (the seats), read-only.
import { z } from 'zod';
import type { HttpClient } from '../../shared/http/types.ts';
import type { ConnectorRuntime } from '../../shared/sync/connector.ts';
import { inspectFor } from './responses.ts';

// Lenient where real SCIM servers vary (null vs absent); strict only on `id`, the resource id.
const scimUser = z.object({
  id: z.string().min(1),
  userName: z.string().nullish(),
  displayName: z.string().nullish(),
  name: z.object({ givenName: z.string().nullish(), familyName: z.string().nullish() }).nullish(),
  emails: z.array(z.object({ value: z.string().nullish(), primary: z.boolean().nullish() })).nullish(),
  active: z.boolean().nullish(),
});
export type ScimUser = z.infer<typeof scimUser>;

const listResponse = z.object({
  totalResults: z.number().int().nonnegative().nullish(),
  Resources: z.array(scimUser).nullish(),
});

export interface ScimPage {
  users: ScimUser[];
  /** Undefined when the server left it out (RFC 7644 requires it; Fullstory's is unverified). */
  totalResults: number | undefined;
}

/** What the spec's Go client asks for; the server may return fewer. */
export const SCIM_PAGE_SIZE = 100;

export interface ScimClient {
  listUsers(startIndex: number, count: number): Promise<ScimPage>;
}

export function createScimClient(runtime: ConnectorRuntime, config: { scimBaseUrl: string; scimToken: string }): ScimClient {
  const http: HttpClient = runtime.http({
    name: 'fullstory',
    baseUrl: config.scimBaseUrl,
    headers: { Authorization: `Bearer ${config.scimToken}`, Accept: 'application/json' },
    secrets: [config.scimToken],
    inspect: inspectFor('scim'),
  });
  return {
    async listUsers(startIndex, count) {
      const body = await http.request({
        path: '/Users',
        query: { startIndex, count },
        schema: listResponse,
        route: 'GET /Users',
      });
      return { users: body.Resources ?? [], totalResults: body.totalResults ?? undefined };
    },
  };
}
