/**
 * cdk-nag reports each wildcard resource as its own finding, `AwsSolutions-IAM5[Resource::<flat>]`,
 * and an acknowledgement must name that exact id: acknowledging the bare rule id silences nothing.
 * This names each wildcard resource the way cdk-nag flattens it, so the acknowledgement covers
 * exactly the wildcards it explains and a new one still fails the synth. cdk-nag itself is not
 * needed at synth (it is your choice to run it): the flattening is its finding-id format —
 * `Fn::Join` joined, `Ref` as `<id>`, `Fn::GetAtt` as `<id.attr>`, `${x}` of a string as `<x>`.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** A resolved CloudFormation value as cdk-nag writes it in a finding id. */
export function flattenReference(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o['Fn::Join']) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return items.map(flattenReference).join(delimiter);
    }
    if (o['Fn::Sub']) return flattenReference(o['Fn::Sub']);
    if (o['Fn::GetAtt']) {
      const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
    }
    if (o['Fn::ImportValue']) return flattenReference(o['Fn::ImportValue']);
    if (o['Ref']) return `<${flattenReference(o['Ref'])}>`;
  }
  return JSON.stringify(node);
}

/** The IAM5 finding id cdk-nag gives a wildcard `resource` (an ARN string or token). */
export function wildcardFindingId(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flattenReference(Stack.of(scope).resolve(resource))}]`;
}

/** Acknowledges each wildcard resource of a role's policy on `scope` with its reason. */
export function acknowledgeWildcards(scope: IConstruct, wildcards: { resource: string; reason: string }[]): void {
  for (const { resource, reason } of wildcards) {
    Validations.of(scope).acknowledge({ id: wildcardFindingId(scope, resource), reason });
  }
}
