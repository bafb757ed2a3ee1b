// vitest globalSetup: one moto server (S3 + Secrets Manager emulator) for the whole test run.
// Tests read its URL with `inject('motoEndpoint')` (see test/support/aws.ts).
//
// MOTO_ENDPOINT=http://127.0.0.1:PORT uses a server you already run (`test/support/moto.sh start PORT`)
// and skips the install and the start.
import type { TestProject } from 'vitest/node';
import { installMoto, startMoto } from './moto.ts';

declare module 'vitest' {
  interface ProvidedContext {
    /** Base URL of the run's moto server, e.g. http://127.0.0.1:41234 */
    motoEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const external = process.env['MOTO_ENDPOINT'];
  if (external) {
    project.provide('motoEndpoint', external.replace(/\/+$/, ''));
    return undefined;
  }
  const installMs = await installMoto();
  const started = performance.now();
  const moto = await startMoto();
  const startMs = performance.now() - started;
  if (process.env['MOTO_TIMINGS']) {
    console.log(`moto: install check ${installMs.toFixed(0)} ms, server ready in ${startMs.toFixed(0)} ms at ${moto.endpoint}`);
  }
  project.provide('motoEndpoint', moto.endpoint);
  return async () => {
    await moto.stop();
  };
}
