// Turning RequestOptions into what goes on the wire: the URL, the body and its content type.

type Params = Record<string, string | number | boolean | undefined>;

/**
 * `path` is appended to `baseUrl` (keeping the base's own path, e.g. `/api`), unless it is an
 * absolute http(s) URL, which reaches a second host of the same API. Undefined query values are
 * left out so callers can pass optional parameters straight through.
 */
export function buildUrl(baseUrl: string, path: string, query?: Params): URL {
  const url = /^https?:\/\//i.test(path) ? new URL(path) : new URL(`${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) url.searchParams.append(name, String(value));
  }
  return url;
}

export interface EncodedBody {
  body: string;
  contentType: string;
}

export function encodeBody(form: Params | undefined, json: unknown): EncodedBody | undefined {
  if (form !== undefined && json !== undefined) throw new Error('a request takes either form or json, not both');
  if (form !== undefined) {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(form)) {
      if (value !== undefined) params.append(name, String(value));
    }
    return { body: params.toString(), contentType: 'application/x-www-form-urlencoded' };
  }
  if (json !== undefined) return { body: JSON.stringify(json), contentType: 'application/json' };
  return undefined;
}
