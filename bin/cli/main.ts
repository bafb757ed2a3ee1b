// baton-serverless: sync, demo, inspect, sim.
import { connectorNames } from '../../lambdas/index.ts';
import { oneLine } from '../../shared/errors.ts';
import { redact } from '../../shared/http/redact.ts';
import { secretValuesOf } from '../../shared/sync/config.ts';
import { UsageError } from './usage.ts';

const HELP = `baton-serverless — Baton-style identity syncs to c1z, without servers

usage:
  baton-serverless demo [--out DIR] [--users N] [--json]      sync every connector against its bundled simulator
  baton-serverless sync <connector> --out FILE [--secret-id ID] [--json]
                                                              one sync; config from BATON_* env vars or Secrets Manager
  baton-serverless inspect FILE [--resources|--entitlements|--grants] [--resource-type T] [--json]
  baton-serverless sim <connector> [--port N] [--users N] [--rate-limits real|off|SCALE]
  baton-serverless grant|revoke <connector> --entitlement ID --principal ID [--c1z FILE] [--json]
  baton-serverless webhook <connector> --port N --tenant T [--jwks-url URL] [--c1z FILE] [--public-url URL]

connectors: ${connectorNames.join(', ')}`;

export async function main(argv: string[]): Promise<number> {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const err = (s: string) => process.stderr.write(`${s}\n`);
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'inspect':
        await (await import('./inspect.ts')).inspectCommand(rest, out);
        return 0;
      case 'sync':
        await (await import('./sync.ts')).syncCommand(rest, out, err);
        return 0;
      case 'demo':
        await (await import('./demo.ts')).demoCommand(rest, out);
        return 0;
      case 'sim':
        await (await import('./sim.ts')).simCommand(rest, out);
        return 0;
      case 'grant':
      case 'revoke':
        await (await import('./grant.ts')).grantCommand(command, rest, out, err);
        return 0;
      case 'webhook':
        await (await import('./webhook.ts')).webhookCommand(rest, out, err);
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        out(HELP);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}\n\n${HELP}`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`baton-serverless: ${e.message}`);
      return 2;
    }
    // One line that says what failed; secrets from the environment never reach the terminal.
    const secrets = secretValuesOf(Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('BATON_'))));
    err(`baton-serverless: ${redact(oneLine(e), secrets)}`);
    if (process.env.BATON_DEBUG && e instanceof Error && e.stack) err(redact(e.stack, secrets));
    return 1;
  }
}
