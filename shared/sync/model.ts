// Builders for the rows connectors emit, following baton-sdk's helpers (shared/c1z/README.md, Ids), so
// ids and defaults are the same as the Go connectors'.
import { create, type DescMessage, type JsonObject, type JsonValue, type MessageInitShape, type MessageShape } from '@bufbuild/protobuf';
import { type Any, anyPack, anyUnpack } from '@bufbuild/protobuf/wkt';
import {
  AppTraitSchema,
  ChildResourceTypeSchema,
  type Entitlement,
  Entitlement_PurposeValue,
  EntitlementSchema,
  ExternalLinkSchema,
  type Grant,
  GroupTraitSchema,
  type Resource,
  type ResourceId,
  ResourceSchema,
  type ResourceType,
  type ResourceType_Trait,
  ResourceTypeSchema,
  RoleTraitSchema,
  SkipEntitlementsAndGrantsSchema,
  Status_ResourceStatus,
  StatusSchema,
  UserTrait_AccountType,
  UserTrait_Status_Status,
  UserTraitSchema,
} from '../c1z/messages.ts';

export { Entitlement_PurposeValue as Purpose, Status_ResourceStatus as ResourceStatus, UserTrait_AccountType as AccountType };

export function pack<Desc extends DescMessage>(schema: Desc, init: MessageInitShape<Desc>): Any {
  return anyPack(schema, create(schema, init));
}

export function findAnnotation<Desc extends DescMessage>(annotations: readonly Any[], schema: Desc): MessageShape<Desc> | undefined {
  for (const a of annotations) {
    const m = anyUnpack(a, schema);
    if (m) return m;
  }
  return undefined;
}

/**
 * A profile Struct with keys in sorted order (Go marshals maps sorted), undefined values dropped,
 * so the same input gives the same bytes.
 */
export function profile(values: Record<string, JsonValue | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(values).sort()) {
    const v = values[key];
    if (v !== undefined) out[key] = sortJson(v);
  }
  return out;
}

function sortJson(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(sortJson);
  if (v !== null && typeof v === 'object') return profile(v as Record<string, JsonValue>);
  return v;
}

export interface ResourceTypeInit {
  id: string;
  displayName: string;
  traits?: ResourceType_Trait[];
  description?: string;
  /** Annotate SkipEntitlementsAndGrants: the engine lists no entitlements or grants for it. */
  skipEntitlementsAndGrants?: boolean;
}

export function resourceType(init: ResourceTypeInit): ResourceType {
  return create(ResourceTypeSchema, {
    id: init.id,
    displayName: init.displayName,
    traits: init.traits ?? [],
    description: init.description ?? '',
    annotations: init.skipEntitlementsAndGrants ? [pack(SkipEntitlementsAndGrantsSchema, {})] : [],
  });
}

// Hot path: a sync builds one ResourceId, principal Resource and Grant per grant row (millions on a
// big tenant), and protobuf-es's create() costs ~1 µs each where a complete literal costs a few ns.
// The literals spell out every field, so they are exactly what create() returns (a test checks).
export function resourceId(resourceType: string, id: string): ResourceId {
  return { $typeName: 'c1.connector.v2.ResourceId', resourceType, resource: id, batonResource: false };
}

function principalOf(id: ResourceId): Resource {
  return {
    $typeName: 'c1.connector.v2.Resource',
    id,
    parentResourceId: undefined,
    displayName: '',
    annotations: [],
    description: '',
    batonResource: false,
    externalId: undefined,
    creationSource: 0,
    profile: undefined,
    icon: undefined,
    status: undefined,
    createdAt: undefined,
  };
}

export interface ResourceInit {
  type: string;
  id: string;
  displayName: string;
  description?: string;
  parent?: ResourceId;
  /** Trait and other annotations (use the *Trait helpers below). */
  annotations?: Any[];
  /** Child resource types this resource announces (listed with it as parent). */
  childTypes?: string[];
  /** Resource-level profile and status (SDK v0.25 style, e.g. Slack). */
  profile?: JsonObject;
  status?: Status_ResourceStatus;
  statusDetails?: string;
  externalLink?: string;
}

export function resource(init: ResourceInit): Resource {
  const annotations = [...(init.annotations ?? [])];
  for (const child of init.childTypes ?? []) annotations.push(pack(ChildResourceTypeSchema, { resourceTypeId: child }));
  if (init.externalLink) annotations.push(pack(ExternalLinkSchema, { url: init.externalLink }));
  return create(ResourceSchema, {
    id: resourceId(init.type, init.id),
    parentResourceId: init.parent,
    displayName: init.displayName,
    description: init.description ?? '',
    annotations,
    profile: init.profile,
    status: init.status === undefined ? undefined : create(StatusSchema, { status: init.status, details: init.statusDetails ?? '' }),
  });
}

export interface UserTraitInit {
  emails?: { address: string; primary?: boolean }[];
  login?: string;
  loginAliases?: string[];
  employeeIds?: string[];
  /** Trait-level profile/status (older SDK style, e.g. Segment and Fullstory). */
  profile?: JsonObject;
  /** Default ENABLED, as NewUserTrait sets it. */
  status?: UserTrait_Status_Status;
  statusDetails?: string;
  /** Default HUMAN, as NewUserTrait sets it. */
  accountType?: UserTrait_AccountType;
  givenName?: string;
  familyName?: string;
  mfaEnabled?: boolean;
  ssoEnabled?: boolean;
}

export function userTrait(init: UserTraitInit): Any {
  return pack(UserTraitSchema, {
    emails: (init.emails ?? []).map((e) => ({ address: e.address, isPrimary: e.primary ?? false })),
    status: { status: init.status ?? UserTrait_Status_Status.ENABLED, details: init.statusDetails ?? '' },
    profile: init.profile,
    accountType: init.accountType ?? UserTrait_AccountType.HUMAN,
    login: init.login ?? '',
    loginAliases: init.loginAliases ?? [],
    employeeIds: init.employeeIds ?? [],
    mfaStatus: init.mfaEnabled === undefined ? undefined : { mfaEnabled: init.mfaEnabled },
    ssoStatus: init.ssoEnabled === undefined ? undefined : { ssoEnabled: init.ssoEnabled },
    structuredName:
      init.givenName === undefined && init.familyName === undefined ? undefined : { givenName: init.givenName ?? '', familyName: init.familyName ?? '' },
  });
}

export function groupTrait(init: { profile?: JsonObject } = {}): Any {
  return pack(GroupTraitSchema, { profile: init.profile });
}

export function roleTrait(init: { profile?: JsonObject } = {}): Any {
  return pack(RoleTraitSchema, { profile: init.profile });
}

export function appTrait(init: { profile?: JsonObject; helpUrl?: string } = {}): Any {
  return pack(AppTraitSchema, { profile: init.profile, helpUrl: init.helpUrl ?? '' });
}

/** `<resource_type>:<resource>:<slug>`: entitlement.NewEntitlementID. */
export function entitlementId(resource: { id?: ResourceId }, slug: string): string {
  return `${resource.id?.resourceType ?? ''}:${resource.id?.resource ?? ''}:${slug}`;
}

export interface EntitlementInit {
  purpose: Entitlement_PurposeValue;
  /** Defaults to the slug, as NewAssignmentEntitlement / NewPermissionEntitlement do. */
  displayName?: string;
  description?: string;
  grantableTo?: ResourceType[];
  annotations?: Any[];
}

/** NewAssignmentEntitlement / NewPermissionEntitlement: id from the slug, the full resource embedded. */
export function entitlement(res: Resource, slug: string, init: EntitlementInit): Entitlement {
  return create(EntitlementSchema, {
    resource: res,
    id: entitlementId(res, slug),
    displayName: init.displayName ?? slug,
    description: init.description ?? '',
    grantableTo: init.grantableTo ?? [],
    annotations: init.annotations ?? [],
    purpose: init.purpose,
    slug,
  });
}

/** The `member` assignment entitlement every group-like resource has (workspace, group, role). */
export function memberEntitlement(res: Resource, init: { displayName: string; description: string; grantableTo: ResourceType[] }): Entitlement {
  return entitlement(res, 'member', { purpose: Entitlement_PurposeValue.ASSIGNMENT, ...init });
}

// Every grant of one entitlement embeds the same {id, resource}: share one (immutable) object, so a
// group with 10k members builds it once and the writer encodes it once.
const thinEntitlements = new WeakMap<Resource, Map<string, Entitlement>>();

function thinEntitlement(res: Resource, id: string): Entitlement {
  let byId = thinEntitlements.get(res);
  if (!byId) thinEntitlements.set(res, (byId = new Map()));
  let e = byId.get(id);
  if (!e) byId.set(id, (e = create(EntitlementSchema, { id, resource: res })));
  return e;
}

/** `<entitlement id>:<principal type>:<principal id>`: grant.NewGrantID. */
export function grantId(entitlementIdValue: string, principal: ResourceId): string {
  return `${entitlementIdValue}:${principal.resourceType}:${principal.resource}`;
}

/**
 * grant.NewGrant(resource, slug, principal): the embedded entitlement carries only id and resource;
 * a ResourceId principal becomes Resource{id}.
 */
export function grant(res: Resource, slug: string, principal: ResourceId | Resource, init: { annotations?: Any[] } = {}): Grant {
  const principalResource = principal.$typeName === 'c1.connector.v2.ResourceId' ? principalOf(principal) : principal;
  const entId = entitlementId(res, slug);
  return {
    $typeName: 'c1.connector.v2.Grant',
    entitlement: thinEntitlement(res, entId),
    principal: principalResource,
    id: grantId(entId, principalResource.id ?? resourceId('', '')),
    annotations: init.annotations ?? [],
    sources: undefined,
  };
}
