// A small, hand-written Slack org: one user of each kind the Go connector's rules distinguish. Tests
// derive their expected rows from those rules and this table, never from the connector's output.
import { BOT_SCOPES, SIM_BOT_TOKEN, SIM_USER_TOKEN, type SimUser, type SlackTenant } from '../../../lambdas/slack/sim/tenant.ts';

function user(id: string, name: string, flags: Partial<SimUser>, profile: SimUser['profile'] = {}): SimUser {
  return { id, team_id: 'T1', name, profile: { team: 'T1', ...profile }, ...flags };
}

export function fixedTenant(): SlackTenant {
  const users: SimUser[] = [
    user(
      'U1',
      'alice',
      { is_primary_owner: true, is_owner: true, is_admin: true, has_2fa: true, scimActive: true },
      { first_name: 'Alice', last_name: 'Archer', email: 'alice@acme.test', status_text: 'Shipping', status_emoji: ':ship:' },
    ),
    user('U2', 'bob', { is_owner: true, is_admin: true, has_2fa: false, scimActive: true }, { first_name: 'Bob', last_name: 'Baker', email: 'bob@acme.test' }),
    user('U3', 'carol', { is_admin: true, scimActive: true }, { email: 'carol@acme.test' }),
    user('U4', 'dave', { is_restricted: true, scimActive: true }, { email: 'dave@partner.test' }),
    user('U5', 'erin', { is_restricted: true, is_ultra_restricted: true, scimActive: true }, { email: 'erin@partner.test' }),
    user('U6', 'deploybot', { is_bot: true }),
    user('U7', 'frank', { deleted: true, scimActive: false }, { email: 'frank@acme.test' }),
    user('U8', 'grace', { is_invited_user: true, scimActive: true }, { email: 'grace@acme.test' }),
    user('W9', 'sam.external', { is_stranger: true }, { email: 'sam@other.test', team: 'TOTHER' }),
    user('USLACKBOT', 'slackbot', {}),
    user('U10', '', { is_app_user: true, scimActive: true }, { email: 'nousername@acme.test' }),
    user('U11', 'oldbot', { is_bot: true, deleted: true }),
    // In SCIM but not in T1's users.list (another workspace of the org): found by users.info.
    { id: 'U12', team_id: 'T2', name: 'hank', profile: { email: 'hank@acme.test', team: 'T2' }, scimActive: true },
    // In SCIM but invisible to the bot token: users.info answers user_not_found.
    { id: 'U13', team_id: 'T2', name: 'ivy', profile: { team: 'T2' }, scimActive: true, hiddenFromBot: true },
  ];
  return {
    teams: [{ id: 'T1', name: 'Acme' }],
    users,
    userGroups: [
      { id: 'S1', team_id: 'T1', name: 'Engineering', handle: 'eng', users: ['U1', 'U3', 'U4'] },
      { id: 'S2', team_id: 'T1', name: 'Support', handle: 'support', users: ['U2', 'U5', 'U10'] },
      { id: 'S3', team_id: 'T1', name: 'Old Team', handle: 'old', users: ['U1'], disabled: true },
    ],
    idpGroups: [
      { id: 'G1', displayName: 'IDP Admins', members: ['U1', 'U2'] },
      { id: 'G2', displayName: 'IDP Everyone', members: ['U1', 'U3', 'U12'] },
    ],
    tokens: {
      [SIM_BOT_TOKEN]: { kind: 'bot', userId: 'U6', botId: 'B6', scopes: [...BOT_SCOPES] },
      [SIM_USER_TOKEN]: { kind: 'user', userId: 'U1', scopes: ['admin'] },
    },
  };
}
