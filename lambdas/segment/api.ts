// Zod schemas of the Segment Public API responses the connector reads. Rows keep only the fields the
// mapping uses, except permissions, which stay loose: they are written back on provisioning and
// must round-trip fields this code does not know (labels, B6).
import { z } from 'zod';

const str = z
  .string()
  .nullish()
  .transform((v) => v ?? '');

export const paginationSchema = z.object({
  current: z.string().nullish(),
  // null, absent and "" all mean "no more pages".
  next: z.string().nullish(),
  previous: z.string().nullish(),
  totalEntries: z.number().nullish(),
});

export const permissionResourceSchema = z.looseObject({
  id: z.string(),
  type: z.string(),
});

export const permissionSchema = z.looseObject({
  roleId: z.string(),
  roleName: z.string().optional(),
  resources: z
    .array(permissionResourceSchema)
    .nullish()
    .transform((v) => v ?? []),
});

export type Permission = z.infer<typeof permissionSchema>;
export type PermissionResource = z.infer<typeof permissionResourceSchema>;

const permissions = z.array(permissionSchema).nullish();

export const workspaceSchema = z.object({ id: z.string(), name: str, slug: str });
export type Workspace = z.infer<typeof workspaceSchema>;

export const userSchema = z.object({
  id: z.string(),
  name: str,
  email: str,
  /** Present on GET /users/{id}; the list may or may not carry it (the OpenAPI row type allows it). */
  permissions,
});
export type User = z.infer<typeof userSchema>;

export const userGroupSchema = z.object({
  id: z.string(),
  name: str,
  memberCount: z.number().nullish(),
  permissions,
});
export type UserGroup = z.infer<typeof userGroupSchema>;

export const roleSchema = z.object({ id: z.string(), name: str, description: str });
export type Role = z.infer<typeof roleSchema>;

export const namedSchema = z.object({ id: z.string(), name: str });
export type Named = z.infer<typeof namedSchema>;

export const warehouseSchema = z.object({
  id: z.string(),
  name: z.string().nullish(),
  metadata: z.object({ name: str }).nullish(),
});

export const functionSchema = z.object({ id: z.string(), displayName: str });

export function envelope<T extends z.ZodType>(data: T) {
  return z.object({ data });
}

function rows<T extends z.ZodType>(row: T) {
  return z
    .array(row)
    .nullish()
    .transform((v): z.output<T>[] => v ?? []);
}

const page = { pagination: paginationSchema.nullish() };

export const workspaceResponse = envelope(z.object({ workspace: workspaceSchema }));
export const usersPage = envelope(z.object({ users: rows(userSchema), ...page }));
export const userResponse = envelope(z.object({ user: userSchema }));
export const groupsPage = envelope(z.object({ userGroups: rows(userGroupSchema), ...page }));
// The real key is `userGroup`; the Go code reads `group` and so never sees group permissions (B2).
export const groupResponse = envelope(z.object({ userGroup: userGroupSchema }));
export const groupMembersPage = envelope(z.object({ users: rows(userSchema), ...page }));
export const rolesPage = envelope(z.object({ roles: rows(roleSchema), ...page }));
export const sourcesPage = envelope(z.object({ sources: rows(namedSchema), ...page }));
export const warehousesPage = envelope(z.object({ warehouses: rows(warehouseSchema), ...page }));
export const spacesPage = envelope(z.object({ spaces: rows(namedSchema), ...page }));
export const functionsPage = envelope(z.object({ functions: rows(functionSchema), ...page }));
export const removeFromGroupResponse = envelope(z.looseObject({ status: z.string().nullish() }).nullish());
export const anyResponse = z.unknown();

/** One element of Segment's `errors` array. */
export const apiErrorSchema = z.looseObject({
  type: z.string().optional(),
  message: z.string().optional(),
  data: z.looseObject({ msBeforeNext: z.number().optional() }).nullish(),
});

export const errorsEnvelopeSchema = z.looseObject({ errors: z.array(apiErrorSchema).nullish() });

/** The three function kinds GET /functions must be asked for one by one. */
export const FUNCTION_KINDS = ['DESTINATION', 'INSERT_DESTINATION', 'SOURCE'] as const;
export type FunctionKind = (typeof FUNCTION_KINDS)[number];
