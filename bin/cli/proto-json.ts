// Rows as protobuf JSON (lowerCamelCase names, enum names, `@type` on Any), the encoding baton's
// `-o json` uses, so jq scripts written against baton read our output unchanged.
import { type DescMessage, type MessageShape, toJson } from '@bufbuild/protobuf';
import { messageRegistry } from '../../shared/c1z/messages.ts';

/**
 * Annotations whose type we do not model (old files carry deprecated ones such as ETag) cannot be
 * rendered, so they are listed by type URL instead of failing the view.
 */
export function protoJson<Desc extends DescMessage>(schema: Desc, message: MessageShape<Desc>): Record<string, unknown> {
  const unknown: string[] = [];
  const known = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(known);
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'annotations' && Array.isArray(v)) {
        out[k] = v.filter((a: { typeUrl: string }) => {
          const ok = messageRegistry.getMessage(a.typeUrl.replace(/^.*\//, '')) !== undefined;
          if (!ok) unknown.push(a.typeUrl);
          return ok;
        });
      } else out[k] = known(v);
    }
    return out;
  };
  const doc = toJson(schema, known(message) as MessageShape<Desc>, { registry: messageRegistry }) as Record<string, unknown>;
  return unknown.length > 0 ? { ...doc, unrenderedAnnotations: [...new Set(unknown)] } : doc;
}
