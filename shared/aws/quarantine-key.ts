// Where the shrink guard holds a sync back, beside the checkpoints and the lease: under the
// instance's prefix, which ConductorOne's read role cannot see. Dependency-free for the CDK app.
import { posix } from 'node:path';

export function quarantineKey(objectKey: string): string {
  const dir = posix.dirname(objectKey);
  return `${dir === '.' ? '' : `${dir}/`}.quarantine/sync.c1z`;
}
