// The secret-map fields every connector's configSchema is built from. Secrets are often stored
// with empty placeholders, so a blank value counts as absent; messages name the key, never a value.
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
