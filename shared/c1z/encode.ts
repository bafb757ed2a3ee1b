// Fast deterministic encoding of grant rows, the bulk of every sync. protobuf-es's reflective
// toBinary costs microseconds per message; a grant is mostly two things that repeat across rows
// (the entitlement with its full resource) plus a principal id, so we encode those parts once and
// splice them together. Protobuf fields in field-number order concatenate to the same bytes Go's
// deterministic marshal gives; test/unit/c1z/encode.test.ts checks byte equality with toBinary.
import { create, toBinary } from '@bufbuild/protobuf';
import { EntitlementSchema, GrantSchema, ResourceSchema, type Entitlement, type Grant, type Resource } from './messages.ts';

const entitlementCache = new WeakMap<Resource, Map<string, Uint8Array>>();

function varint(n: number, out: number[]): void {
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
}

/** A length-delimited field: tag (field << 3 | 2), length, bytes. */
function field(num: number, bytes: Uint8Array): Buffer {
  const head: number[] = [(num << 3) | 2];
  varint(bytes.length, head);
  return Buffer.concat([Buffer.from(head), bytes]);
}

function str(num: number, s: string): Buffer {
  return field(num, Buffer.from(s, 'utf8'));
}

/** Entitlement{id, resource} as grant.NewGrant embeds it: encoded once per (resource, id). */
function isThin(e: Entitlement): boolean {
  return (
    e.displayName === '' && e.description === '' && e.slug === '' && e.purpose === 0 && e.grantableTo.length === 0 && e.annotations.length === 0 && e.resource !== undefined
  );
}

function entitlementBytes(e: Entitlement): Uint8Array {
  if (!isThin(e)) return toBinary(EntitlementSchema, e);
  let byId = entitlementCache.get(e.resource!);
  if (!byId) entitlementCache.set(e.resource!, (byId = new Map()));
  let bytes = byId.get(e.id);
  if (!bytes) byId.set(e.id, (bytes = toBinary(EntitlementSchema, create(EntitlementSchema, { id: e.id, resource: e.resource }))));
  return bytes;
}

/** Resource{id} (a principal given as a ResourceId) without the reflective encoder. */
function principalBytes(p: Resource): Uint8Array {
  const onlyId =
    p.id !== undefined &&
    !p.id.batonResource &&
    p.parentResourceId === undefined &&
    p.displayName === '' &&
    p.annotations.length === 0 &&
    p.description === '' &&
    !p.batonResource &&
    p.externalId === undefined &&
    p.creationSource === 0 &&
    p.profile === undefined &&
    p.icon === undefined &&
    p.status === undefined &&
    p.createdAt === undefined;
  if (!onlyId) return toBinary(ResourceSchema, p);
  const id = Buffer.concat([p.id!.resourceType ? str(1, p.id!.resourceType) : Buffer.alloc(0), p.id!.resource ? str(2, p.id!.resource) : Buffer.alloc(0)]);
  return field(1, id);
}

export function encodeGrant(g: Grant): Uint8Array {
  const parts: Uint8Array[] = [];
  if (g.entitlement) parts.push(field(1, entitlementBytes(g.entitlement)));
  if (g.principal) parts.push(field(2, principalBytes(g.principal)));
  if (g.annotations.length === 0 && g.sources === undefined) {
    if (g.id) parts.push(str(3, g.id));
  } else {
    parts.push(toBinary(GrantSchema, { ...g, entitlement: undefined, principal: undefined }));
  }
  return Buffer.concat(parts);
}
