// The webhook body, parsed only after it was authenticated. Field names are from ConductorOne's
// docs (envelope) and its SDK's models (TaskServiceGetResponse, TaskView, TaskType, AppEntitlement,
// AppUser); where `payload` puts the task (flattened beside `@type`, or under one key) is not
// documented, so both are read.
import { z } from 'zod';

export const EVENT_TEST = 'c1.webhooks.v1.PayloadTest';
export const EVENT_PROVISION = 'c1.webhooks.v1.PayloadProvisionStep';

export const envelopeSchema = z.looseObject({
  version: z.string(),
  webhookId: z.string().optional(),
  callbackUrl: z.string().optional(),
  event: z.string(),
  payload: z.looseObject({ '@type': z.string().optional() }).optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;

const taskTypeTarget = z.looseObject({
  appEntitlementId: z.string().optional(),
  appId: z.string().optional(),
  appUserId: z.string().optional(),
  identityUserId: z.string().optional(),
});

export const taskViewSchema = z.looseObject({
  task: z.looseObject({
    id: z.string().optional(),
    numericId: z.union([z.string(), z.number()]).optional(),
    displayName: z.string().optional(),
    type: z
      .looseObject({
        grant: taskTypeTarget.optional(),
        revoke: taskTypeTarget.optional(),
      })
      .optional(),
  }),
  appUserPath: z.string().optional(),
  entitlementsPath: z.string().optional(),
});

const expandedSchema = z.array(z.looseObject({ '@type': z.string().optional() })).optional();

export const appEntitlementSchema = z.looseObject({
  id: z.string().optional(),
  appId: z.string().optional(),
  displayName: z.string().optional(),
  slug: z.string().optional(),
  matchBatonId: z.string().optional(),
  /** Not in the SDK's AppEntitlement model; read in case the payload carries it. */
  externalId: z.string().optional(),
  sourceConnectorIds: z.record(z.string(), z.string()).optional(),
});
export type AppEntitlement = z.infer<typeof appEntitlementSchema>;

export const appUserSchema = z.looseObject({
  id: z.string().optional(),
  displayName: z.string().optional(),
  email: z.string().optional(),
  emails: z.array(z.string()).optional(),
  username: z.string().optional(),
  usernames: z.array(z.string()).optional(),
  profile: z.record(z.string(), z.unknown()).optional(),
});
export type AppUser = z.infer<typeof appUserSchema>;

export interface ProvisionTask {
  action: 'grant' | 'revoke';
  taskId: string;
  appEntitlement: AppEntitlement;
  appUser: AppUser;
}

/** Why a provisioning payload cannot be acted on (answered `errored`, never retried). */
export class PayloadError extends Error {
  override readonly name = 'PayloadError';
}

function typeName(item: { '@type'?: string | undefined }): string {
  const t = item['@type'] ?? '';
  return t.slice(t.lastIndexOf('/') + 1);
}

function pickExpanded<T>(
  expanded: readonly { '@type'?: string | undefined }[],
  message: string,
  schema: z.ZodType<T & { id?: string | undefined }>,
  id: string | undefined,
): T | undefined {
  const candidates = expanded.filter((e) => typeName(e) === message || typeName(e).endsWith(`.${message}`));
  const parsed = candidates.map((c) => schema.safeParse(c)).flatMap((r) => (r.success ? [r.data] : []));
  if (id) return parsed.find((p) => p.id === id);
  return parsed.length === 1 ? parsed[0] : undefined;
}

/** The GetTask response inside the payload: the payload itself, or the one member that holds it. */
function taskResponse(payload: Record<string, unknown>): Record<string, unknown> | undefined {
  if ('taskView' in payload) return payload;
  for (const value of Object.values(payload)) {
    if (value && typeof value === 'object' && 'taskView' in value) return value as Record<string, unknown>;
  }
  return undefined;
}

export function parseProvisionTask(payload: Record<string, unknown>): ProvisionTask {
  const response = taskResponse(payload);
  if (!response) throw new PayloadError('the provisioning payload holds no taskView');
  const view = taskViewSchema.safeParse(response.taskView);
  if (!view.success) throw new PayloadError(`the provisioning payload's taskView is malformed (${view.error.issues.map((i) => i.path.join('.')).join(', ')})`);
  const task = view.data.task;
  const kind = task.type?.grant ? 'grant' : task.type?.revoke ? 'revoke' : undefined;
  if (!kind) {
    const other = Object.keys(task.type ?? {}).join(', ') || 'none';
    throw new PayloadError(`task ${task.id ?? '?'} is not a grant or revoke task (type: ${other}); only grant and revoke are provisioned here`);
  }
  const target = task.type?.[kind] ?? {};
  const expanded = expandedSchema.safeParse(response.expanded);
  const items = expanded.success ? (expanded.data ?? []) : [];
  const appEntitlement = pickExpanded(items, 'AppEntitlement', appEntitlementSchema, target.appEntitlementId);
  if (!appEntitlement) throw new PayloadError(`the payload's expanded objects hold no AppEntitlement ${target.appEntitlementId ?? ''}`.trim());
  const appUser = pickExpanded(items, 'AppUser', appUserSchema, target.appUserId);
  if (!appUser) throw new PayloadError(`the payload's expanded objects hold no AppUser ${target.appUserId ?? ''}`.trim());
  return { action: kind, taskId: task.id ?? String(task.numericId ?? ''), appEntitlement, appUser };
}
