// The secret-map fields every connector's configSchema is built from. Secrets are often stored
// with empty placeholders, so a blank value counts as absent; messages name the key, never a value.
// Each field of a connector's schema carries its help as zod's description (`.describe(help)`):
// `sync --help`, the README key tables (checked by a test) and the message for a missing key read it.
import { z } from 'zod';

/** A required credential: present and not blank. */
export function requiredToken(key: string, hint?: string) {
  return z
    .string({ error: `${key} is required${hint ? ` (${hint})` : ''}` })
    .trim()
    .min(1, { error: `${key} must not be empty` });
}

/** An optional string; blank reads as absent. */
export const optionalValue = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

/** An optional http(s) URL (a simulator, proxy or regional host); blank reads as absent. */
export function optionalUrl(key: string) {
  return optionalValue.refine((v) => v === undefined || /^https?:\/\/[^\s/]+/i.test(v), { message: `${key} must be an http(s) URL` });
}

/** A boolean as the Go connectors' flags take it: true/false/1/0 in any case, or a JSON boolean. */
export const flag = z
  .union([z.boolean(), z.string()])
  .optional()
  .refine((v) => v === undefined || typeof v === 'boolean' || /^(true|false|1|0|)$/i.test(v.trim()), { message: 'must be true or false' })
  .transform((v) => v === true || (typeof v === 'string' && /^(true|1)$/i.test(v.trim())));

/** One `BATON_*` key of a connector's secret map, as its schema declares it. */
export interface ConfigField {
  key: string;
  /** The field's description; every field must have one (a test checks each connector). */
  help: string;
  /** Whether the schema refuses a map without it (rules across keys are in the help). */
  required: boolean;
}

/** The object schema inside a configSchema built as `z.object({...})` with refinements and transforms after it. */
function keysObject(schema: z.ZodType): z.ZodObject | undefined {
  for (let s: z.ZodType | undefined = schema; s; ) {
    if (s instanceof z.ZodObject) return s;
    s = s instanceof z.ZodPipe ? (s.in as z.ZodType) : undefined;
  }
  return undefined;
}

/** The keys of a connector's configSchema in declaration order, with their help. */
export function configFields(schema: z.ZodType): ConfigField[] {
  const object = keysObject(schema);
  if (!object) return [];
  return Object.entries(object.shape).map(([key, field]) => {
    const f = field as z.ZodType;
    return { key, help: f.description ?? '', required: !f.safeParse(undefined).success };
  });
}

/** A field's help by key, for messages about that key; undefined for keys the schema does not declare. */
export function fieldHelp(schema: z.ZodType): (key: string) => string | undefined {
  const byKey = new Map(configFields(schema).map((f) => [f.key, f.help]));
  return (key) => byKey.get(key) || undefined;
}
