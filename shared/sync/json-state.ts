// Connector state as typed JSON: what a connector writes, it reads back through its zod schema, so
// a value from another version or another writer is refused by name instead of misread.
import type { z } from 'zod';
import type { ConnectorState } from './connector.ts';

export interface JsonState {
  read<T>(key: string, schema: z.ZodType<T>): T | undefined;
  write(key: string, value: unknown): void;
  delete(key: string): void;
}

export function jsonState(store: ConnectorState, connector: string): JsonState {
  return {
    read(key, schema) {
      const raw = store.get(key);
      if (raw === undefined) return undefined;
      let json: unknown;
      try {
        json = JSON.parse(raw);
      } catch {
        json = undefined;
      }
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw new Error(`${connector}: connector state ${JSON.stringify(key)} is not what this connector writes there`);
      return parsed.data;
    },
    write: (key, value) => store.set(key, JSON.stringify(value)),
    delete: (key) => store.delete(key),
  };
}
