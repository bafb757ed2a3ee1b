// The tokens a Slack simulator accepts, and the bot scopes both Slack connectors' apps are installed with.

/** What a token may do: `bot` tokens call the Web API, `user` tokens with `admin` call SCIM (and, on Grid, admin.*). */
export interface SimToken {
  kind: 'bot' | 'user';
  /** auth.test's user_id. */
  userId: string;
  /** Bot tokens: auth.test also returns bot_id. */
  botId?: string;
  scopes: string[];
}

export const BOT_SCOPES = [
  'channels:join',
  'channels:read',
  'groups:read',
  'team:read',
  'usergroups:read',
  'users.profile:read',
  'users:read',
  'users:read.email',
];
