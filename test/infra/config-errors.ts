// The CDK context errors the config tests read: the ConfigError a context raises, and its one
// line naming a key.
import { expect } from 'vitest';
import { ConfigError, loadConfig } from '../../infra/config.ts';

export function errorOf(context: Record<string, unknown>): ConfigError {
  try {
    loadConfig(context);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

/** The one line of the error naming `key`. */
export function lineFor(error: ConfigError, key: string): string {
  const lines = error.message.split('\n').filter((l) => l.includes(`context "${key}":`));
  expect(lines, error.message).toHaveLength(1);
  return lines[0]!;
}
