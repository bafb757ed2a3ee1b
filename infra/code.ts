/**
 * The code asset of a sync function or the provisioning endpoint (see asset-layout.ts): bundled
 * from source at synth in this repository, the prebuilt folder from the package.
 */

import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { AssetHashType, DockerImage } from 'aws-cdk-lib';
import { Code } from 'aws-cdk-lib/aws-lambda';
import { type Architecture, FROM_SOURCE, PACKAGE_ROOT, PROVISIONING_ARCHITECTURE, PROVISIONING_BUNDLE, prebuiltDir } from './asset-layout.ts';

// The bundler (esbuild) is a development dependency: loaded only when running from source.
const bundling = FROM_SOURCE ? await import('./bundling.ts') : undefined;

export class MissingBundleError extends Error {
  override name = 'MissingBundleError';
}

/** The prebuilt folder, or a clear error naming what the package lacks. */
function prebuilt(name: string, architecture: Architecture): Code {
  const dir = prebuiltDir(name, architecture);
  if (!existsSync(dir)) {
    throw new MissingBundleError(`baton-serverless has no prebuilt bundle for ${name} on ${architecture} (${dir} is missing): reinstall the package`);
  }
  return Code.fromAsset(dir);
}

/**
 * From source: bundled locally by esbuild for the function's architecture; the Docker image is
 * never used (local bundling always succeeds or throws). When the app skips bundling
 * (`aws:cdk:bundling-stacks: []`, e.g. unit tests) the handler need not exist. The hash is of the
 * output, so any change in the connector or shared code deploys, and it equals the prebuilt
 * folder's hash when the files are the same.
 */
function fromSource(environment: Record<string, string>, bundle: (outputDir: string) => void): Code {
  return Code.fromAsset(PACKAGE_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('baton-serverless/no-docker-bundling'),
      // Part of CDK's asset cache key (the local bundler, a function, is not): without it every
      // connector of one architecture would share the first one's bundle.
      environment,
      local: {
        tryBundle(outputDir: string): boolean {
          bundle(outputDir);
          return true;
        },
      },
    },
  });
}

/** `lambdas/<connector>/handler.ts` for `architecture`. */
export function connectorCode(connector: string, architecture: Architecture): Code {
  if (!bundling) return prebuilt(connector, architecture);
  const { bundleConnector } = bundling;
  return fromSource({ BATON_CONNECTOR: connector, BATON_ARCHITECTURE: architecture }, (out) => bundleConnector(connector, architecture, out));
}

/** `lambdas/provisioning.ts` (or `entry`, from source only) for arm64. */
export function provisioningCode(entry?: string): Code {
  if (!bundling) return prebuilt(PROVISIONING_BUNDLE, PROVISIONING_ARCHITECTURE);
  const { bundleHandler, provisioningEntry } = bundling;
  const file = entry ?? provisioningEntry();
  return fromSource({ BATON_ENTRY: relative(PACKAGE_ROOT, file), BATON_ARCHITECTURE: PROVISIONING_ARCHITECTURE }, (out) =>
    bundleHandler({ entry: file, outDir: out, architecture: PROVISIONING_ARCHITECTURE }),
  );
}
