// Fullstory's server API v2 user list (captured end-users, not seats), read-only.
import { z } from 'zod';
import type { HttpClient } from '../../shared/http/types.ts';
import type { ConnectorRuntime } from '../../shared/sync/connector.ts';
import { inspectFor } from './responses.ts';

const endUser = z.object({
  id: z.string().min(1),
  uid: z.string().nullish(),
  display_name: z.string().nullish(),
  email: z.string().nullish(),
  is_being_deleted: z.boolean().nullish(),
});
export type EndUser = z.infer<typeof endUser>;

const listResponse = z.object({
  results: z.array(endUser).nullish(),
  next_page_token: z.string().nullish(),
});

export interface EndUserPage {
  users: EndUser[];
  /** Undefined on the last page (the field may be absent, null or ""). */
  nextPageToken: string | undefined;
}

export interface ApiClient {
  listUsers(pageToken: string | undefined): Promise<EndUserPage>;
}

export function createApiClient(runtime: ConnectorRuntime, config: { apiBaseUrl: string; apiKey: string }): ApiClient {
  const http: HttpClient = runtime.http({
    name: 'fullstory',
    baseUrl: config.apiBaseUrl,
    // Fullstory takes the raw key after "Basic", not base64 of user:password.
    headers: { Authorization: `Basic ${config.apiKey}`, Accept: 'application/json' },
    secrets: [config.apiKey],
    inspect: inspectFor('apikey'),
  });
  return {
    async listUsers(pageToken) {
      const body = await http.request({
        path: '/v2/users',
        query: { page_token: pageToken },
        schema: listResponse,
        route: 'GET /v2/users',
      });
      return { users: body.results ?? [], nextPageToken: body.next_page_token || undefined };
    },
  };
}
