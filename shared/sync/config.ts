import type { z } from 'zod';
import { ConfigError, describeIssues } from '../errors.ts';
import { redact } from '../http/redact.ts';
import { fieldHelp } from './config-fields.ts';
import type { ConnectorDefinition } from './connector.ts';

export { ConfigError };

/** Parses a `BATON_*` map with the connector's schema; the error lists each bad key and why. */
export function parseConnectorConfig<C>(definition: ConnectorDefinition<C>, map: Record<string, unknown>, where = 'config'): C {
  const result = (definition.configSchema as z.ZodType<C>).safeParse(map);
  if (result.success) return result.data;
  const { keys, message } = describeIssues(result.error.issues, map, (s) => redact(s, secretValuesOf(map)), fieldHelp(definition.configSchema as z.ZodType));
  throw new ConfigError(`${definition.name} ${where}: ${message}`, keys);
}

/** Every string value of a secret map: what redaction must scrub (short values would match noise). */
export function secretValuesOf(map: Record<string, unknown>): string[] {
  return Object.values(map).filter((v): v is string => typeof v === 'string' && v.length >= 6);
}
