// The acknowledgements name findings the way cdk-nag does without loading cdk-nag at synth: the
// flattening must be cdk-nag's own, or an acknowledged wildcard would still fail a consumer's synth.
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference.js';
import { describe, expect, it } from 'vitest';
import { flattenReference } from '../../infra/nag.ts';

describe('finding ids', () => {
  it.each([
    'arn:aws:s3:::bucket/baton/slack/*',
    { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:', { Ref: 'AWS::Region' }, ':fn:*']] },
    { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['SyncBucketE9822395', 'Arn'] }, '/baton/slack/*']] },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a template literal
    { 'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:network-interface/*' },
    { 'Fn::ImportValue': 'Shared-BucketArn' },
    '*',
  ])('%j flattens as cdk-nag flattens it', (value) => {
    expect(flattenReference(value)).toBe(flattenCfnReference(value));
  });
});
