import { startCloudlet, type Cloudlet, type CloudletOptions } from '../../src/server/server.js';

/** A real cloudlet on a free loopback port with an in-memory store, silent logs. */
export async function startTestServer(opts: CloudletOptions = {}): Promise<Cloudlet> {
  return startCloudlet({ port: 0, ephemeral: true, logLevel: 'silent', ...opts });
}

export const ROOT = { accessKeyId: 'test', secretAccessKey: 'test' };

/** SDK v3 client options for a test server. */
export function clientConfig(url: string, region = 'us-east-1', credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } = ROOT) {
  return { endpoint: url, region, credentials, maxAttempts: 1 };
}
