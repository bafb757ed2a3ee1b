/**
 * cdk-nag reports each wildcard resource as its own finding, `AwsSolutions-IAM5[Resource::<flat>]`,
 * and an acknowledgement must name that exact id: acknowledging the bare rule id silences nothing.
 * This names each wildcard resource the way cdk-nag flattens it, so the acknowledgement covers
 * exactly the wildcards it explains and a new one still fails the synth.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import type { IConstruct } from 'constructs';

/** The IAM5 finding id cdk-nag gives a wildcard `resource` (an ARN string or token). */
export function wildcardFindingId(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenCfnReference(Stack.of(scope).resolve(resource))}]`;
}

/** Acknowledges each wildcard resource of a role's policy on `scope` with its reason. */
export function acknowledgeWildcards(scope: IConstruct, wildcards: { resource: string; reason: string }[]): void {
  for (const { resource, reason } of wildcards) {
    Validations.of(scope).acknowledge({ id: wildcardFindingId(scope, resource), reason });
  }
}
