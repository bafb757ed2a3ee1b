// Every command's definition (options, arguments, environment) and where its code lives. Help,
// parsing and docs-cli.md come from here; the code is imported only when the command runs.
import { connectorConfigFields, connectorNames, provisioningConnectors } from '../../lambdas/index.ts';
import type { Output } from './output.ts';
import type { CommandSpec, OptionSpec, Parsed } from './spec.ts';
import { UsageError } from './usage.ts';

export interface Io {
  /** stdout for results; bounded memory and quiet on a closed pipe. */
  out: Output;
  /** stderr, one message per call. */
  err: (s: string) => void;
}

export interface Command {
  spec: CommandSpec;
  run: () => Promise<(parsed: Parsed, io: Io, name: string) => Promise<void>>;
}

const file: OptionSpec = { type: 'string', short: 'f', value: 'FILE', default: 'sync.c1z', help: 'the c1z file to read' };
const format: OptionSpec = { type: 'string', short: 'o', value: 'FORMAT', default: 'console', help: 'console (a table) or json (baton CLI shapes)' };
const syncId: OptionSpec = { type: 'string', value: 'ID', help: 'read this sync instead of the latest finished full sync' };
const maxDecoded: OptionSpec = {
  type: 'string',
  value: 'MiB',
  help: 'refuse files that decode to more than this (also BATON_DECODER_MAX_DECODED_SIZE_MB; default 3072)',
};
const resourceType: OptionSpec = { type: 'string', short: 't', value: 'TYPE', help: 'only this resource type (an unknown type lists the known ones)' };
const resource: OptionSpec = { type: 'string', short: 'r', value: 'ID', help: 'only this resource id (needs -t)' };
const entitlement: OptionSpec = { type: 'string', short: 'e', value: 'ID', help: 'only grants of this entitlement id' };

const decoderEnv: [string, string][] = [['BATON_DECODER_MAX_DECODED_SIZE_MB', 'default for --max-decoded-mb, as baton-sdk reads it']];

/** The `BATON_*` keys of the given connectors with the help their config schemas give them. */
function connectorEnv(only?: readonly string[]): [string, string][] {
  return connectorConfigFields()
    .filter(({ connector }) => !only || only.includes(connector))
    .flatMap(({ connector, fields }) => fields.map((f): [string, string] => [f.key, `${connector}: ${f.help}${f.required ? ' (required)' : ''}`]));
}

/** An example sync of the first connector whose schema requires a key. */
function syncExample(): string {
  const first = connectorConfigFields().find(({ fields }) => fields.some((f) => f.required));
  if (!first) return `example: baton-serverless sync ${connectorNames[0]} --out ${connectorNames[0]}.c1z`;
  const key = first.fields.find((f) => f.required)!.key;
  return `example: ${key}=… baton-serverless sync ${first.connector} --out ${first.connector}.c1z`;
}

const view = (name: string, summary: string, options: Record<string, OptionSpec>, notes?: string[]): Command => ({
  spec: { name, summary, options: { file, 'output-format': format, ...options, 'max-decoded-mb': maxDecoded }, env: decoderEnv, notes },
  run: async () => (await import('./view-command.ts')).viewCommand,
});

export const COMMANDS: Command[] = [
  {
    spec: {
      name: 'sync',
      summary: 'run one connector on this machine and write its c1z',
      args: '<connector>',
      options: {
        out: { type: 'string', value: 'FILE', help: 'where the c1z goes (required); must be a regular file or not exist yet, in an existing folder' },
        'replace-read-only': { type: 'boolean', help: 'replace --out even when it is write-protected (it stays write-protected); refused without this' },
        'secret-id': { type: 'string', value: 'ID', help: 'read the BATON_* keys from this AWS Secrets Manager secret instead of the environment' },
        'slice-seconds': { type: 'string', value: 'N', help: 'run as the Lambda does: slices of at most N seconds, checkpointing between them' },
        previous: {
          type: 'string',
          value: 'FILE',
          help: 'the shrink guard and drift against this earlier sync: a sync that shrank too much goes to <out>.held.c1z, not --out',
        },
        'max-principal-drop': {
          type: 'string',
          value: 'PCT',
          help: 'with --previous: hold a sync that removes more than this share of principals (default 50)',
        },
        'max-grant-drop': { type: 'string', value: 'PCT', help: 'with --previous: hold a sync that removes more than this share of grants (default 50)' },
        'max-decoded-mb': maxDecoded,
        json: { type: 'boolean', help: 'print the summary as JSON (and no progress)' },
      },
      env: [
        ...connectorEnv(),
        ['AWS_REGION / AWS_PROFILE', 'with --secret-id: where and as whom the secret is read (standard AWS SDK chain)'],
        ['BATON_DEBUG', 'print stack traces with errors'],
      ],
      notes: [`connectors: ${connectorNames.join(', ')}`, syncExample()],
    },
    run: async () => (await import('./sync.ts')).syncCommand,
  },
  {
    spec: {
      name: 'demo',
      summary: 'sync every connector against its bundled simulator (no AWS, no credentials)',
      options: {
        out: { type: 'string', value: 'DIR', default: 'demo-out', help: 'folder for <connector>/sync.c1z' },
        users: { type: 'string', value: 'N', default: '200', help: 'users per simulated tenant' },
        json: { type: 'boolean', help: 'print the summary as JSON (and no progress)' },
      },
    },
    run: async () => (await import('./demo.ts')).demoCommand,
  },
  {
    spec: {
      name: 'inspect',
      summary: 'summary of a c1z: its syncs and counts per resource type',
      args: 'FILE',
      options: {
        resources: { type: 'boolean', help: 'list resources instead of the summary' },
        entitlements: { type: 'boolean', help: 'list entitlements instead of the summary' },
        grants: { type: 'boolean', help: 'list grants instead of the summary' },
        'resource-type': resourceType,
        'sync-id': syncId,
        'max-decoded-mb': maxDecoded,
        json: { type: 'boolean', help: 'one JSON document' },
      },
      env: decoderEnv,
    },
    run: async () => (await import('./inspect.ts')).inspectCommand,
  },
  view('resources', 'list resources (as `baton resources`)', { 'resource-type': resourceType, resource, 'sync-id': syncId }),
  view('entitlements', 'list entitlements (as `baton entitlements`)', { 'resource-type': resourceType, resource, 'sync-id': syncId }),
  view('grants', 'list grants (as `baton grants`)', { 'resource-type': resourceType, resource, entitlement, 'sync-id': syncId }),
  view('resource-types', 'list resource types (as `baton resource-types`)', { 'sync-id': syncId }),
  view('stats', 'counts by type (as `baton stats`)', { 'sync-id': syncId }),
  view('syncs', 'list the sync runs in the file (as `baton syncs`)', {}),
  {
    spec: {
      name: 'diff',
      summary: 'resources, entitlements and grants added, removed or changed between two c1z files',
      args: 'OLD NEW',
      options: { 'output-format': format, 'max-decoded-mb': maxDecoded },
      env: decoderEnv,
      notes: [
        'console: one line per change (+ added, - removed, ~ changed), then totals',
        'json: {"resources":{"created":[],"deleted":[],"modified":[]},"entitlements":{…},"grants":{…},"drift":{"totals":{…},"byResourceType":{…}}}',
        'drift: resources, entitlements and grants added and removed, in all and per resource type (what the Lambda publishes after each sync)',
      ],
    },
    run: async () => (await import('./diff-command.ts')).diffCommand,
  },
  {
    spec: {
      name: 'accept-shrink',
      summary: 'promote the sync the shrink guard held back to the live file (as the function\'s {"acceptShrink": true})',
      options: {
        bucket: { type: 'string', value: 'NAME', help: 'the sync bucket (required)' },
        key: { type: 'string', value: 'KEY', help: 'the live object key, e.g. baton/slack/sync.c1z (required)' },
        json: { type: 'boolean', help: 'print what was promoted as JSON' },
      },
      env: [
        ['AWS_REGION / AWS_PROFILE', 'where and as whom the bucket is written (standard AWS SDK chain)'],
        ['AWS_ENDPOINT_URL_S3', 'another S3 endpoint (e.g. a local emulator; S3_FORCE_PATH_STYLE=true for path-style URLs)'],
      ],
      notes: ['The held file is checked (SHA-256, full decode, sync and counts) and uploaded like a normal sync, then removed from quarantine.'],
    },
    run: async () => (await import('./accept-shrink.ts')).acceptShrinkCommand,
  },
  {
    spec: {
      name: 'sim',
      summary: 'run one app simulator in the foreground for manual syncs',
      args: '<connector>',
      options: {
        port: { type: 'string', value: 'N', default: '0', help: 'TCP port on 127.0.0.1 (0 picks a free one)' },
        users: { type: 'string', value: 'N', help: 'users in the simulated tenant' },
        seed: { type: 'string', value: 'N', default: '1', help: 'tenant generator seed (same seed, same tenant)' },
        'rate-limits': { type: 'string', value: 'MODE', default: 'real', help: 'real, off, or a number N: limits N times faster' },
        set: { type: 'string', multiple: true, value: 'KEY=VALUE', help: 'app setting (each app lists its keys on an unknown one)' },
        fault: {
          type: 'string',
          multiple: true,
          value: 'KIND[:COUNT]',
          help: 'answer the next COUNT requests (default 1, or "always") with a fault: 5xx, timeout, truncated, malformed, 429, ratelimited, revoked; 429 and ratelimited take :COUNT:SECONDS for their Retry-After',
        },
      },
      notes: [
        'The simulator prints its pid, and exits when its parent process dies or on Ctrl-C / SIGTERM.',
        'example: baton-serverless sim slack --fault 429:3:2 --fault 5xx (three throttles asking for 2 s, then one HTTP 500)',
      ],
    },
    run: async () => (await import('./sim.ts')).simCommand,
  },
  ...(['grant', 'revoke'] as const).map(
    (action): Command => ({
      spec: {
        name: action,
        summary: `${action} one entitlement for one principal in the app (or its simulator), by the ids the connector synced`,
        args: '<connector>',
        options: {
          entitlement: { type: 'string', value: 'ID', help: 'entitlement id, e.g. group:g1:member (required)' },
          principal: { type: 'string', value: '[TYPE:]ID', help: 'principal id, e.g. user:u2 (required)' },
          c1z: { type: 'string', value: 'FILE', help: 'look the rows up in this sync file (default: sync the app first)' },
          json: { type: 'boolean', help: 'print the outcome as JSON' },
        },
        env: connectorEnv(provisioningConnectors),
      },
      run: async () => {
        const { grantCommand } = await import('./grant.ts');
        return async (parsed, io) => {
          const [connector] = parsed.positionals;
          const { entitlement, principal, c1z, json } = parsed.values;
          if (parsed.positionals.length !== 1 || typeof entitlement !== 'string' || typeof principal !== 'string') {
            throw new UsageError(`${action}: give <connector>, --entitlement ID and --principal ID`);
          }
          await grantCommand(
            action,
            { connector: connector!, entitlement, principal, c1z: c1z as string | undefined, json: json === true },
            (line) => void io.out.line(line),
            io.err,
          );
          await io.out.flush();
        };
      },
    }),
  ),
  {
    spec: {
      name: 'webhook',
      summary: "serve ConductorOne's provisioning webhook for one connector on 127.0.0.1 (test before deploying)",
      args: '<connector>',
      options: {
        port: { type: 'string', value: 'N', default: '0', help: 'port on 127.0.0.1 (0: any free one)' },
        tenant: { type: 'string', value: 'HOST', help: 'your ConductorOne tenant, e.g. acme.conductor.one (required)' },
        'jwks-url': { type: 'string', value: 'URL', help: "verify tokens against this JWKS instead of the tenant's" },
        c1z: { type: 'string', value: 'FILE', help: 'look the rows up in this sync file (default: sync the app first)' },
        'public-url': { type: 'string', value: 'URL', help: 'the URL ConductorOne calls, when behind a tunnel or proxy' },
      },
      env: connectorEnv(provisioningConnectors),
    },
    run: async () => {
      const { webhookCommand } = await import('./webhook.ts');
      return async (parsed, io) => {
        const [connector] = parsed.positionals;
        const { tenant, c1z } = parsed.values;
        const port = Number(parsed.values.port);
        if (parsed.positionals.length !== 1 || typeof tenant !== 'string' || !Number.isInteger(port) || port < 0 || port > 65535) {
          throw new UsageError('webhook: give <connector>, --tenant HOST and a --port between 0 and 65535');
        }
        const out = (line: string) => void io.out.line(line).then(() => io.out.flush());
        await webhookCommand(
          {
            connector: connector!,
            port,
            tenant,
            jwksUrl: parsed.values['jwks-url'] as string | undefined,
            c1z: c1z as string | undefined,
            publicUrl: parsed.values['public-url'] as string | undefined,
          },
          out,
          io.err,
        );
      };
    },
  },
];

export function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.spec.name === name);
}
