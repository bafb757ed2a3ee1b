// Before the CLI asks AWS for anything: resolve the region and credentials the SDK would use, and
// say which is missing and how to set it, instead of the SDK's "failed (unknown error)".
interface ConfiguredClient {
  config: { region: () => Promise<string>; credentials: () => Promise<unknown> };
}

export class AwsSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AwsSetupError';
  }
}

export async function awsClientReady(client: ConfiguredClient, why: string): Promise<void> {
  let region: string;
  try {
    region = await client.config.region();
  } catch {
    throw new AwsSetupError(
      `${why} needs an AWS region and none is set: export AWS_REGION=us-east-1 (or the secret's region), or set region in the profile AWS_PROFILE names (~/.aws/config)`,
    );
  }
  if (!region) throw new AwsSetupError(`${why} needs an AWS region: export AWS_REGION=…`);
  try {
    await client.config.credentials();
  } catch (err) {
    const profile = process.env.AWS_PROFILE;
    const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new AwsSetupError(
      profile
        ? `${why}: no AWS credentials for profile ${JSON.stringify(profile)} in ${region} (${detail}); run \`aws sso login --profile ${profile}\` or check ~/.aws/credentials`
        : `${why}: no AWS credentials found in ${region} (${detail}); set AWS_PROFILE to a configured profile (after \`aws sso login\`), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
    );
  }
}
