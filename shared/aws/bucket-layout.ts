// Where everything of one connector instance lives in the bucket: the one definition the runtime
// (which knows its live key) and the CDK app (which grants exactly these keys) both read.
//   <prefix>/<instance>/sync.c1z              the live file ConductorOne reads
//   <prefix>/<instance>/.checkpoint/<id>…     a running sync's checkpoints (never read by ConductorOne)
//   <prefix>/<instance>/.lease.json           one sync per instance at a time
//   <prefix>/<instance>/.quarantine/sync.c1z  a sync the shrink guard held back (never read by ConductorOne)
//   <prefix>/.provisioning/jti/<jti>          provisioning tokens already used (replay protection)
import { posix } from 'node:path';

export interface InstanceLayout {
  /** `<prefix>/<instance>/` (or '' for a live key at the bucket's root). */
  dir: string;
  live: string;
  /** Prefix of every checkpoint object; the only prefix the function lists. */
  checkpoints: string;
  lease: string;
  /** Where the shrink guard holds a sync back until it is accepted. */
  quarantine: string;
}

/** The layout around a live key (the function's OBJECT_KEY). */
export function layoutOf(liveKey: string): InstanceLayout {
  const parent = posix.dirname(liveKey);
  const dir = parent === '.' ? '' : `${parent}/`;
  return { dir, live: liveKey, checkpoints: `${dir}.checkpoint/`, lease: `${dir}.lease.json`, quarantine: `${dir}.quarantine/sync.c1z` };
}

/** The layout of instance `id` under `keyPrefix`. */
export function instanceLayout(keyPrefix: string, id: string): InstanceLayout {
  return layoutOf(`${keyPrefix}/${id}/sync.c1z`);
}

/** `<prefix>/.provisioning/jti/`. */
export function replayPrefix(keyPrefix: string): string {
  return `${keyPrefix}/.provisioning/jti/`;
}
