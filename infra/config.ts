/**
 * The CDK app's configuration: the `context` of cdk.json (or `-c key=value` on the command line),
 * validated with zod at synth. Every error names the context key, e.g.
 *   cdk.json context "connectors[1].memoryMb": Too big: expected number to be <=10240
 *
 * Without a `connectors` list, every connector of the registry (lambdas/index.ts) runs once.
 * Values given on the command line arrive as strings; the keys that take numbers, arrays or
 * objects also accept them as JSON text (`-c connectors='["slack"]'`).
 */
import { z } from 'zod';
import { connectorNames, isConnectorName, provisioningConnectors } from '../lambdas/index.ts';
import { instanceLayout, replayPrefix } from '../shared/aws/bucket-layout.ts';
import { ConfigError } from '../shared/errors.ts';
import { DEFAULT_FUNCTION_MEMORY_MB } from '../shared/sync/node-options.ts';
import { scheduleProblem } from './schedule.ts';

/** ConductorOne's S3 data-source service role: the only principal the read role trusts. */
export const CONDUCTORONE_PRINCIPAL_ARN = 'arn:aws:iam::765656841499:role/ConductorOneS3DatasourceService';
export const DEFAULT_SCHEDULE = 'rate(1 hour)';
export { SERVICE_NAME } from '../shared/observability/names.ts';

/** CloudWatch Logs' allowed retention periods, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** "github" → "Github", "crm-eu" → "CrmEu": for construct and output ids. */
export function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

/** Lambda's limit on a function name (`<stackName>-<instance id>-sync`). */
export const MAX_FUNCTION_NAME = 64;
const INSTANCE_ID_MAX = 40;

/**
 * The one problem with an instance id, or undefined. Ids become parts of resource names, construct
 * ids, S3 keys and metric dimensions, so they are kept to lower-case words joined by single hyphens.
 */
export function instanceIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'expected an instance id, e.g. "segment-eu"';
  if (id.length > INSTANCE_ID_MAX) return `too long: ${id.length} characters, at most ${INSTANCE_ID_MAX}`;
  const bad = [...id].find((ch) => !/[a-z0-9-]/.test(ch));
  if (bad !== undefined) {
    const what = bad === ' ' ? 'a space' : /[A-Z]/.test(bad) ? `an upper-case letter "${bad}"` : `"${bad}"`;
    return `contains ${what}: use lower-case letters, digits and single hyphens`;
  }
  if (!/^[a-z]/.test(id)) return 'must start with a lower-case letter';
  if (id.endsWith('-')) return 'must not end with "-"';
  if (id.includes('--')) return 'must not contain "--"';
  return undefined;
}

const instanceId = z.string().superRefine((id, ctx) => {
  const problem = instanceIdProblem(id);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

// Checked against the registry here, not at bundling, so a typo is one line instead of a stack trace.
const connectorType = z.string().superRefine((name, ctx) => {
  if (!isConnectorName(name)) {
    ctx.addIssue({ code: 'custom', message: `unknown connector "${name}" (known: ${connectorNames.join(', ')})` });
  }
});

/** How long one sync's durable execution may run, across all its 15-minute slices. */
const maxSyncHours = z.int().min(1).max(168);
/** A checkpoint older than this is not resumed from: the next sync starts over. */
const checkpointMaxAgeHours = z.int().min(1).max(72);
export const DEFAULT_MAX_SYNC_HOURS = 6;

/**
 * The shrink guard of one instance: a sync that would remove more than these shares of the
 * principals or grants (or empty a resource type) is held in quarantine instead of going live.
 */
const shrinkGuardSchema = z.strictObject({
  enabled: z.boolean().default(true),
  maxPrincipalDropPercent: z.number().min(0).max(100).default(50),
  maxGrantDropPercent: z.number().min(0).max(100).default(50),
});
export const DEFAULT_SHRINK_GUARD = { enabled: true, maxPrincipalDropPercent: 50, maxGrantDropPercent: 50 } as const;
export const DEFAULT_CHECKPOINT_MAX_AGE_HOURS = 6;

/** Functions in your VPC: its private subnets (with a route to a NAT) and, optionally, security groups. */
const existingVpcSchema = z.strictObject({
  vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, 'expected a VPC id, e.g. "vpc-0123456789abcdef0"'),
  subnetIds: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, 'expected a subnet id, e.g. "subnet-0123456789abcdef0"')).min(1, 'list at least one subnet'),
  securityGroupIds: z.array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, 'expected a security group id, e.g. "sg-0123456789abcdef0"')).optional(),
});
/** A VPC made for the functions: private subnets whose egress leaves through NAT gateways with fixed Elastic IPs. */
const createdVpcSchema = z.strictObject({
  create: z.literal(true),
  natGateways: z.int().min(1).max(3).default(1),
  maxAzs: z.int().min(1).max(3).default(2),
});
export const vpcSchema = z
  .union([existingVpcSchema, createdVpcSchema], {
    error: 'expected {"vpcId", "subnetIds", "securityGroupIds"?} for your VPC, or {"create": true, "natGateways"?, "maxAzs"?}',
  })
  .superRefine((v, ctx) => {
    if ('create' in v && v.natGateways > v.maxAzs) {
      ctx.addIssue({ code: 'custom', path: ['natGateways'], message: `at most one NAT gateway per availability zone (maxAzs ${v.maxAzs})` });
    }
  });
export type VpcConfig = z.infer<typeof vpcSchema>;

/** One connector instance, in its long form (what the CDK constructs validate too). */
export const instanceSchema = z.strictObject({
  id: instanceId,
  connector: connectorType,
  enabled: z.boolean().default(true),
  schedule: z
    .string()
    .superRefine((s, ctx) => {
      const problem = scheduleProblem(s);
      if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(s)} is not an EventBridge schedule: ${problem}` });
    })
    .default(DEFAULT_SCHEDULE),
  secret: z
    .string()
    .refine((s) => SECRET_ARN.test(s) || (!s.startsWith('arn:') && SECRET_NAME.test(s)), 'expected a secret name or ARN')
    .optional(),
  secretKmsKeyArn: z.string().regex(KMS_KEY_ARN, 'expected a KMS key ARN').optional(),
  memoryMb: z.int().min(128).max(10240).default(DEFAULT_FUNCTION_MEMORY_MB),
  timeoutSeconds: z.int().min(30).max(900).default(900),
  ephemeralStorageMb: z.int().min(512).max(10240).default(2048),
  architecture: z.enum(['arm64', 'x86_64']).default('arm64'),
  retryAttempts: z.int().min(0).max(2).default(2),
  staleAfterHours: z.int().min(1).max(24).default(2),
  // Unset: the top-level value (filled in by loadConfig).
  maxSyncHours: maxSyncHours.optional(),
  checkpointMaxAgeHours: checkpointMaxAgeHours.optional(),
  shrinkGuard: shrinkGuardSchema.default(DEFAULT_SHRINK_GUARD),
  /** Unset: the deployment's vpc. Your VPC's subnets for this instance alone, or false: outside any VPC. */
  vpc: z.union([existingVpcSchema, z.literal(false)], { error: 'expected {"vpcId", "subnetIds", "securityGroupIds"?} or false' }).optional(),
});

const connectorSchema = z.preprocess(
  // Short forms: "slack" and { "name": "slack" } are one instance whose id is the connector's name,
  // so deployments written before instances existed keep every name, key and logical id.
  (value) => {
    if (typeof value === 'string') return { id: value, connector: value };
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const { name, ...rest } = value as Record<string, unknown>;
      if (name === undefined) {
        return 'id' in rest || !('connector' in rest) ? rest : { id: rest['connector'], ...rest };
      }
      if ('id' in rest || 'connector' in rest) return { ...rest, name };
      return { id: name, connector: name, ...rest };
    }
    return value;
  },
  instanceSchema,
);

/**
 * The problem with a key prefix, or undefined: the first thing wrong, named (a space is not a
 * slash problem).
 */
export function keyPrefixProblem(prefix: string): string | undefined {
  if (prefix.length === 0) return 'expected path segments, e.g. "baton" or "exports/baton"';
  if (prefix.startsWith('/') || prefix.endsWith('/')) return 'must not start or end with "/"';
  if (prefix.includes('//')) return 'contains an empty segment ("//")';
  const bad = [...prefix].find((ch) => !/[A-Za-z0-9!_.*'()/-]/.test(ch));
  if (bad !== undefined) {
    const what = bad === ' ' ? 'a space' : /\s/.test(bad) ? 'white space' : `"${bad}"`;
    return `contains ${what}: use letters, digits and ! _ . * ' ( ) - between "/"`;
  }
  if (prefix.split('/').some((seg) => seg === '.' || seg === '..')) return 'must not contain "." or ".." segments';
  return undefined;
}

const HOST_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const provisioningSchema = z.strictObject({
  tenant: z.string().superRefine((host, ctx) => {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) {
      ctx.addIssue({ code: 'custom', message: 'expected the host name alone, without a scheme: e.g. "acme.conductor.one"' });
    } else if (!HOST_NAME.test(host)) {
      ctx.addIssue({ code: 'custom', message: 'expected a lower-case host name, e.g. "acme.conductor.one"' });
    }
  }),
  connectors: z.array(z.string()).min(1, 'list at least one instance id'),
});

const bucketSchema = z
  .strictObject({
    existingBucketName: z.string().regex(BUCKET_NAME, 'expected an S3 bucket name').optional(),
    bucketName: z.string().regex(BUCKET_NAME, 'expected an S3 bucket name').optional(),
    encryption: z.enum(['S3', 'KMS']).default('S3'),
    kmsKeyArn: z.string().regex(KMS_KEY_ARN, 'expected a KMS key ARN').optional(),
    noncurrentVersionExpirationDays: z.int().min(1).max(3650).default(30),
    accessLogsBucketName: z.string().regex(BUCKET_NAME, 'expected an S3 bucket name').optional(),
  })
  .superRefine((b, ctx) => {
    if (b.existingBucketName && b.bucketName) {
      ctx.addIssue({ code: 'custom', path: ['bucketName'], message: 'set either bucketName or existingBucketName' });
    }
    if (b.kmsKeyArn && b.encryption !== 'KMS') {
      ctx.addIssue({ code: 'custom', path: ['kmsKeyArn'], message: 'kmsKeyArn needs "encryption": "KMS"' });
    }
    if (b.existingBucketName && b.encryption === 'KMS' && !b.kmsKeyArn) {
      ctx.addIssue({
        code: 'custom',
        path: ['kmsKeyArn'],
        message: 'an existing bucket encrypted with KMS needs its key ARN, so the function and role can be granted it',
      });
    }
    if (b.existingBucketName && b.accessLogsBucketName) {
      ctx.addIssue({
        code: 'custom',
        path: ['accessLogsBucketName'],
        message: 'access logging is configured on the existing bucket itself, not here',
      });
    }
  });

export const configSchema = z.object({
  stackName: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9-]{0,63}$/, 'expected letters, digits and hyphens, starting with a letter')
    .default('BatonServerless'),
  connectors: z
    .array(connectorSchema)
    .min(1, 'list at least one connector')
    .superRefine((list, ctx) => {
      const ids = new Map<string, string>();
      const names = new Map<string, string>();
      list.forEach((c, i) => {
        if (ids.has(c.id)) {
          ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate instance id "${c.id}"` });
          return;
        }
        ids.set(c.id, c.id);
        // Construct ids and output names are the PascalCase of the id: "a-1b" and "a1b" would collide.
        const other = names.get(pascal(c.id));
        if (other !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'id'],
            message: `"${c.id}" and "${other}" give the same resource names (${pascal(c.id)}): rename one`,
          });
        }
        names.set(pascal(c.id), c.id);
      });
    }),
  bucket: bucketSchema.default({ encryption: 'S3', noncurrentVersionExpirationDays: 30 }),
  keyPrefix: z
    .string()
    .superRefine((prefix, ctx) => {
      const problem = keyPrefixProblem(prefix);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default('baton'),
  /** Off unless set: every function in a VPC (yours, or one created with NAT gateways for a fixed egress address). */
  vpc: vpcSchema.optional(),
  /** Off unless set: the provisioning endpoint (a function URL) for these instances. */
  provisioning: provisioningSchema.optional(),
  conductorOneExternalId: z
    .string()
    .regex(/^[\w+=,.@:/-]{2,1224}$/, 'expected the external ID ConductorOne shows (2-1224 characters)')
    .optional(),
  conductorOnePrincipalArn: z.string().regex(ROLE_ARN, 'expected an IAM role ARN').default(CONDUCTORONE_PRINCIPAL_ARN),
  alarmEmail: z.email().optional(),
  metricsNamespace: z
    .string()
    .regex(/^[A-Za-z0-9._\-/#]{1,255}$/, 'expected a CloudWatch namespace')
    .refine((s) => !s.startsWith('AWS/'), 'the AWS/ namespaces are reserved')
    .default('BatonServerless'),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  maxSyncHours: maxSyncHours.default(DEFAULT_MAX_SYNC_HOURS),
  checkpointMaxAgeHours: checkpointMaxAgeHours.default(DEFAULT_CHECKPOINT_MAX_AGE_HOURS),
  /** Days Lambda keeps a finished durable execution's history (GetDurableExecutionHistory). */
  durableRetentionDays: z.int().min(1).max(90).default(14),
  logRetentionDays: z
    .int()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
      message: `expected one of ${LOG_RETENTION_DAYS.join(', ')}`,
    })
    .default(90),
});

type ParsedConfig = z.infer<typeof configSchema>;
type ParsedConnector = ParsedConfig['connectors'][number];
/** One instance, with the top-level defaults resolved. */
export type ConnectorConfig = Omit<ParsedConnector, 'maxSyncHours' | 'checkpointMaxAgeHours'> & {
  maxSyncHours: number;
  checkpointMaxAgeHours: number;
};
export type Config = Omit<ParsedConfig, 'connectors'> & { connectors: ConnectorConfig[] };
export type BucketConfig = Config['bucket'];

/** Our top-level keys; any other plain camelCase key is a typo (CDK's own keys contain ':' or '@'). */
export const CONTEXT_KEYS = Object.keys(configSchema.shape) as (keyof Config)[];
const JSON_KEYS = new Set<string>([
  'connectors',
  'bucket',
  'logRetentionDays',
  'maxSyncHours',
  'checkpointMaxAgeHours',
  'durableRetentionDays',
  'provisioning',
  'vpc',
]);

export { ConfigError };

/** The context's problems as one ConfigError: a line per key. */
export function contextError(problems: { key: string; message: string }[]): ConfigError {
  return new ConfigError(
    `Invalid configuration (cdk.json "context", or -c on the command line):\n` + problems.map((p) => `  cdk.json context "${p.key}": ${p.message}`).join('\n'),
    problems.map((p) => p.key),
  );
}

/** `["connectors", 1, "memoryMb"]` → `connectors[1].memoryMb`. */
export function formatKey(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

/** Validates the app's context (e.g. `app.node.getAllContext()`) into a Config; throws ConfigError. */
export function loadConfig(context: Record<string, unknown>): Config {
  const unknown = Object.keys(context).filter((k) => /^[a-z][A-Za-z0-9]*$/.test(k) && !(CONTEXT_KEYS as string[]).includes(k));
  const input: Record<string, unknown> = {};
  /** Keys given on the command line as JSON that does not parse: said so, not "expected array". */
  const badJson: { key: string; message: string }[] = [];
  for (const key of CONTEXT_KEYS) {
    let value = context[key];
    if (typeof value === 'string' && JSON_KEYS.has(key)) {
      const text = value;
      try {
        value = JSON.parse(text);
      } catch (err) {
        // A plain word is left to the schema (its error names the expected type); text that
        // meant to be JSON gets the parser's own complaint.
        if (/^\s*[[{"]/.test(text)) {
          badJson.push({ key, message: `not valid JSON (${(err as Error).message}); quote the whole value for the shell, e.g. -c '${key}=["slack"]'` });
          continue;
        }
      }
    }
    if (value !== undefined) input[key] = value;
  }
  // Unlisted, every connector in the registry runs once under its own name: adding a connector to
  // lambdas/index.ts deploys it without a second list to keep in step.
  if (input['connectors'] === undefined) input['connectors'] = [...connectorNames];
  const problems = unknown.map((key) => ({
    key,
    message: `unknown context key (known keys: ${CONTEXT_KEYS.join(', ')})`,
  }));
  problems.push(...badJson);
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      if (badJson.some((b) => b.key === issue.path[0])) continue;
      const message = issue.message;
      // Name the offending key inside strict objects, not just the object.
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) {
          const inConnector = issue.path[0] === 'connectors' && issue.path.length === 2;
          problems.push({
            key: formatKey([...issue.path, k]),
            message:
              inConnector && k === 'name' ? 'give either "name" (one instance named after its connector) or "id" and "connector", not both' : 'unknown key',
          });
        }
        continue;
      }
      problems.push({ key: formatKey(issue.path), message });
    }
  }
  if (parsed.success && parsed.data.provisioning) {
    const instances = new Map(parsed.data.connectors.map((c) => [c.id, c]));
    const seen = new Set<string>();
    parsed.data.provisioning.connectors.forEach((id, i) => {
      const key = formatKey(['provisioning', 'connectors', i]);
      const instance = instances.get(id);
      if (seen.has(id)) problems.push({ key, message: `duplicate instance id "${id}"` });
      else if (!instance) {
        problems.push({ key, message: `"${id}" is not a configured instance (configured: ${[...instances.keys()].join(', ')})` });
      } else if (!(provisioningConnectors as string[]).includes(instance.connector)) {
        // Derived from the registry: a connector provisions when its syncers grant and revoke.
        problems.push({
          key,
          message: `"${id}" runs ${instance.connector}, which has no provisioning (supported: ${provisioningConnectors.join(', ')})`,
        });
      }
      seen.add(id);
    });
  }
  if (parsed.success) {
    parsed.data.connectors.forEach((c, i) => {
      const name = functionName(parsed.data, c.id);
      if (name.length > MAX_FUNCTION_NAME) {
        problems.push({
          key: formatKey(['connectors', i, 'id']),
          message: `the function name "${name}" is ${name.length} characters, Lambda allows ${MAX_FUNCTION_NAME}: shorten the id or stackName`,
        });
      }
    });
  }
  if (problems.length > 0) throw contextError(problems);
  const top = parsed.data!;
  return {
    ...top,
    connectors: top.connectors.map((c) => ({
      ...c,
      maxSyncHours: c.maxSyncHours ?? top.maxSyncHours,
      checkpointMaxAgeHours: c.checkpointMaxAgeHours ?? top.checkpointMaxAgeHours,
    })),
  };
}

/**
 * `<stack>-<instance id>-sync`: the sync function's name. It is not the pre-durable
 * `<stack>-<instance id>`: turning durability on replaces the function, and CloudFormation creates
 * the replacement before deleting the old one, which fails when both have the same name.
 */
export function functionName(config: Pick<Config, 'stackName'>, id: string): string {
  return `${config.stackName}-${id}-sync`;
}

/** Durable functions are invoked qualified: the schedule and the invoke command use this alias. */
export const LIVE_ALIAS = 'live';

/** `<prefix>/<instance id>/`: everything one instance's function may read, write and delete. */
export function instancePrefix(config: Pick<Config, 'keyPrefix'>, id: string): string {
  return instanceLayout(config.keyPrefix, id).dir;
}

/** `<prefix>/.provisioning/jti/`: one object per accepted ConductorOne token id (replay protection). */
export function jtiPrefix(config: Pick<Config, 'keyPrefix'>): string {
  return replayPrefix(config.keyPrefix);
}

/** `<prefix>/<instance id>/.checkpoint/`: a sync's resumable state. */
export function checkpointPrefix(config: Pick<Config, 'keyPrefix'>, id: string): string {
  return instanceLayout(config.keyPrefix, id).checkpoints;
}

/** `<prefix>/<instance id>/sync.c1z`: the object the function writes and ConductorOne reads. */
export function objectKey(config: Pick<Config, 'keyPrefix'>, id: string): string {
  return instanceLayout(config.keyPrefix, id).live;
}
