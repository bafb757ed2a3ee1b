// The two surfaces every Slack simulator serves: Web API methods under /api/<method> and SCIM under
// /scim/v1|v2/<resource>[/<id>]; anything else is Slack's `unknown_method`.
import type { SimRequest, SimResponse } from '../../sim/kit.ts';

export function routeSlack(
  req: SimRequest,
  web: (req: SimRequest, method: string) => SimResponse,
  scim: (req: SimRequest, rest: string[]) => SimResponse,
): SimResponse {
  const parts = req.path.split('/').filter(Boolean);
  if (parts[0] === 'api' && parts.length === 2) return web(req, parts[1]!);
  if (parts[0] === 'scim' && (parts[1] === 'v1' || parts[1] === 'v2')) return scim(req, parts.slice(2));
  return { status: 404, body: { ok: false, error: 'unknown_method' } };
}
