// The Slack simulator behind `baton-serverless sim slack` / `demo`, tests and the benchmark.
import { type AppSimulator, applyGenericFault, type RunningSim, type SimStartOptions } from '../../../shared/sim/kit.ts';
import { extraNumber, type RunningSlackSimOf, type SlackSimStartOptions, startSlackServer } from '../../../shared/slack/sim/start.ts';
import { createSlackRoute, type SlackSimControls } from './server.ts';
import { expectedCounts, generateTenant, SIM_BOT_TOKEN, SIM_USER_TOKEN, type SlackMode, type SlackTenant, workspacesOf } from './tenant.ts';

export type { RateLimitForm, SimLoggedRequest, SlackSimControls } from './server.ts';
export type { SimIdpGroup, SimTeam, SimUser, SimUserGroup, SlackMode, SlackTenant } from './tenant.ts';
export { expectedCounts, generateTenant, SIM_BOT_TOKEN, SIM_USER_TOKEN, workspacesOf } from './tenant.ts';

export interface SlackSimOptions extends SlackSimStartOptions {
  tenant: SlackTenant;
  /** 'pro' = bot token only; 'business' adds the SCIM admin token to the config map. */
  mode?: SlackMode;
}

export type RunningSlackSim = RunningSlackSimOf<SlackTenant, SlackSimControls>;

export async function startSlackSim(options: SlackSimOptions): Promise<RunningSlackSim> {
  const mode = options.mode ?? 'pro';
  const { server, controls } = await startSlackServer('slack', options, (limiter) => createSlackRoute(options.tenant, limiter, options.recordCalls ?? true));
  const config: Record<string, string> = { BATON_TOKEN: SIM_BOT_TOKEN, BATON_BASE_URL: `${server.url}/api/` };
  if (mode === 'business') {
    config.BATON_BUSINESS_PLUS_TOKEN = SIM_USER_TOKEN;
    config.BATON_SCIM_BASE_URL = `${server.url}/scim/${options.gov ? 'v1' : 'v2'}/`;
    if (options.gov) config.BATON_GOV_ENV = 'true';
  }
  return {
    server,
    config,
    tenant: options.tenant,
    controls,
    expected: expectedCounts(options.tenant, mode),
    fault(request) {
      if (applyGenericFault(server, request)) return;
      const retryAfterSec = request.retryAfterSec ?? 1;
      if (request.kind === '429') controls.forceRateLimit({ times: request.count, form: '429', retryAfterSec });
      else if (request.kind === 'ratelimited') controls.forceRateLimit({ times: request.count, form: 'ok-false', retryAfterSec });
      // Slack's revoked token is permanent: every later call answers token_revoked (SCIM 401).
      else if (request.kind === 'revoked') for (const token of Object.values(config)) if (token in options.tenant.tokens) controls.revoked.add(token);
    },
  };
}

/**
 * `extra` knobs: `groups` (user groups, default users/40), `memberships` (default users×5),
 * `idpGroups`, `workspaces`, `sharedUsers`, `mode` ('pro' | 'business', default 'pro'), `gov` (bool).
 */
export const simulator: AppSimulator = {
  name: 'slack',
  settings: {
    groups: { kind: 'number', min: 0, help: 'user groups (default users/40)' },
    memberships: { kind: 'number', min: 0, help: 'user-group memberships (default users×5)' },
    idpGroups: { kind: 'number', min: 0, help: 'IDP (SCIM) groups, business mode' },
    workspaces: { kind: 'number', min: 1, help: 'workspaces' },
    sharedUsers: { kind: 'number', min: 0, help: 'users also in the next workspace (2+ workspaces)' },
    mode: { kind: 'choice', values: ['pro', 'business'], help: 'pro (bot token only) or business (Business+ / Grid with SCIM)' },
    gov: { kind: 'boolean', help: 'serve as GovSlack' },
  },
  async start(options: SimStartOptions): Promise<RunningSim> {
    const extra = options.extra ?? {};
    const users = options.users ?? 200;
    const tenant = generateTenant({
      seed: options.seed ?? 1,
      users,
      userGroups: extraNumber(extra.groups) ?? Math.max(3, Math.round(users / 40)),
      memberships: extraNumber(extra.memberships) ?? users * 5,
      idpGroups: extraNumber(extra.idpGroups),
      workspaces: extraNumber(extra.workspaces),
      sharedUsers: extraNumber(extra.sharedUsers),
    });
    const mode: SlackMode = extra.mode === 'business' ? 'business' : 'pro';
    return startSlackSim({
      tenant,
      port: options.port,
      mode,
      gov: extra.gov === true || extra.gov === 'true',
      rateLimits: options.rateLimits ?? 'real',
      recordCalls: users <= 5000,
    });
  },
};

export interface GoFormulaParams {
  mode: SlackMode;
  /** Users per workspace as users.list returns them (N). */
  usersPerWorkspace: number[];
  /** SCIM users in the org (N_s), Business+ only. */
  scimUsers?: number;
  /** Member counts of the enabled user groups, over all workspaces (m_g). */
  groupSizes: number[];
  /** IDP groups (I), Business+ only. */
  idpGroups?: number;
  /** Pages W5 returns per workspace (k); without a limit Slack answers in one page. */
  usersListPagesBusiness?: number;
}

/** Calls the Go connector makes for one sync (formula in README.md, Benchmark), for comparison with ours. */
export function goFormulaCalls(p: GoFormulaParams): number {
  const pages = (n: number, size: number) => Math.max(1, Math.ceil(n / size));
  const workspaces = p.usersPerWorkspace.length;
  let calls = 2 + pages(workspaces, 100);
  for (const n of p.usersPerWorkspace) {
    if (p.mode === 'pro') calls += 2 * pages(n, 200) + 1;
    else calls += pages(p.scimUsers ?? 0, 100) + (p.scimUsers ?? 0) + 1 + (p.usersListPagesBusiness ?? 1);
  }
  for (const m of p.groupSizes) calls += Math.max(1, Math.ceil(m / 20));
  if (p.mode === 'business') calls += pages(p.idpGroups ?? 0, 100) + (p.idpGroups ?? 0);
  return calls;
}

export function goFormulaParamsFor(tenant: SlackTenant, mode: SlackMode): GoFormulaParams {
  return {
    mode,
    usersPerWorkspace: tenant.teams.map((t) => tenant.users.filter((u) => workspacesOf(u).includes(t.id)).length),
    scimUsers: tenant.users.filter((u) => u.scimActive !== undefined).length,
    groupSizes: tenant.userGroups.filter((g) => !g.disabled).map((g) => g.users.length),
    idpGroups: tenant.idpGroups.length,
  };
}
