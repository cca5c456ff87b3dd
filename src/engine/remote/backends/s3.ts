/**
 * The S3 backend (`s3://bucket/prefix`, AWS or an S3-compatible server through the `endpoint` setting).
 * Opening costs one request (a one-key listing), which checks the bucket and the credentials up front so a
 * wrong secret or a missing bucket fails before any transfer, as a typed remote failure.
 * Owns: opening and closing. Does not own: the client (s3-client.ts), objects and records
 * (s3-object-store.ts).
 */
import type { RemoteConfig } from '../../config/project-config.js';
import type { OpenContext, RemoteStores } from '../registry.js';
import { createS3Client } from './s3-client.js';
import { S3KeyValueStore, S3ObjectStore } from './s3-object-store.js';

/**
 * Requests to S3 are latency-bound, not bandwidth-bound, for small objects: 16 in flight keeps a link busy
 * (the AWS CLI uses 10; see docs for the measurements).
 */
export const DEFAULT_JOBS = 16;

export async function open(remote: RemoteConfig, _ctx: OpenContext): Promise<RemoteStores> {
  const jobs = remote.settings.jobs ?? DEFAULT_JOBS;
  // Sockets for every job plus the parts of multipart uploads in flight.
  const t = createS3Client(remote, Math.max(50, jobs * 4));
  const objects = new S3ObjectStore(t, remote, jobs);
  try {
    // The bucket is never created by xpipe (its region, access and billing are the owner's choice).
    await objects.probe();
  } catch (e) {
    t.client.destroy();
    throw e;
  }
  let closed = false;
  return {
    objects,
    kv: new S3KeyValueStore(t, remote),
    defaultJobs: DEFAULT_JOBS,
    close: async () => {
      if (closed) return;
      closed = true;
      t.client.destroy();
    },
  };
}
