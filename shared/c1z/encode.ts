// Fast deterministic encoding of grant rows, the bulk of every sync. protobuf-es's reflective
// toBinary costs microseconds per message; a grant is mostly two things that repeat across rows
// (the entitlement with its full resource) plus a principal id, so we encode those parts once and
// splice them together. Protobuf fields in field-number order concatenate to the same bytes Go's
// deterministic marshal gives; test/unit/c1z/encode.test.ts checks byte equality with toBinary.
import { create, toBinary } from '@bufbuild/protobuf';
import { type Entitlement, EntitlementSchema, type Grant, GrantSchema, type Resource, ResourceSchema } from './messages.ts';

const entitlementCache = new WeakMap<Resource, Map<string, Uint8Array>>();

/** Bytes a varint of `n` takes. */
function varintSize(n: number): number {
  let size = 1;
  while (n > 0x7f) {
    n >>>= 7;
    size++;
  }
  return size;
}

/** Writes tag + length prefix of a length-delimited field at `pos`; returns the new position. */
function head(buf: Buffer, pos: number, num: number, length: number): number {
  buf[pos++] = (num << 3) | 2;
  while (length > 0x7f) {
    buf[pos++] = (length & 0x7f) | 0x80;
    length >>>= 7;
  }
  buf[pos++] = length;
  return pos;
}

const fieldSize = (length: number) => 1 + varintSize(length) + length;

/** Entitlement{id, resource} as grant.NewGrant embeds it: encoded once per (resource, id). */
function isThin(e: Entitlement): boolean {
  return (
    e.displayName === '' &&
    e.description === '' &&
    e.slug === '' &&
    e.purpose === 0 &&
    e.grantableTo.length === 0 &&
    e.annotations.length === 0 &&
    e.resource !== undefined
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

/** A principal given as a ResourceId: Resource{id} with nothing else set. */
function onlyId(p: Resource): boolean {
  return (
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
    p.createdAt === undefined
  );
}

export function encodeGrant(g: Grant): Uint8Array {
  const ent = g.entitlement ? entitlementBytes(g.entitlement) : undefined;
  const simple = g.annotations.length === 0 && g.sources === undefined;
  const tail = simple ? undefined : toBinary(GrantSchema, { ...g, entitlement: undefined, principal: undefined });
  let principal: Uint8Array | undefined;
  let typeLen = 0;
  let idLen = 0;
  let ridLen = 0;
  const fast = g.principal !== undefined && onlyId(g.principal);
  if (g.principal && !fast) principal = toBinary(ResourceSchema, g.principal);
  if (fast) {
    typeLen = Buffer.byteLength(g.principal!.id!.resourceType);
    idLen = Buffer.byteLength(g.principal!.id!.resource);
    ridLen = (typeLen ? fieldSize(typeLen) : 0) + (idLen ? fieldSize(idLen) : 0);
  }
  const gidLen = simple && g.id ? Buffer.byteLength(g.id) : 0;
  const principalLen = fast ? fieldSize(ridLen) : (principal?.length ?? 0);
  const size = (ent ? fieldSize(ent.length) : 0) + (g.principal ? fieldSize(principalLen) : 0) + (simple ? (gidLen ? fieldSize(gidLen) : 0) : tail!.length);
  const buf = Buffer.allocUnsafe(size);
  let pos = 0;
  if (ent) {
    pos = head(buf, pos, 1, ent.length);
    buf.set(ent, pos);
    pos += ent.length;
  }
  if (g.principal) {
    pos = head(buf, pos, 2, principalLen);
    if (fast) {
      pos = head(buf, pos, 1, ridLen);
      if (typeLen) {
        pos = head(buf, pos, 1, typeLen);
        pos += buf.write(g.principal.id!.resourceType, pos, 'utf8');
      }
      if (idLen) {
        pos = head(buf, pos, 2, idLen);
        pos += buf.write(g.principal.id!.resource, pos, 'utf8');
      }
    } else {
      buf.set(principal!, pos);
      pos += principal!.length;
    }
  }
  if (simple) {
    if (gidLen) {
      pos = head(buf, pos, 3, gidLen);
      pos += buf.write(g.id, pos, 'utf8');
    }
  } else {
    buf.set(tail!, pos);
    pos += tail!.length;
  }
  return buf;
}
