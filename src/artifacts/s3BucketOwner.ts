/**
 * MLflow's MLFLOW_S3_EXPECTED_BUCKET_OWNER (S3ArtifactRepository._bucket_owner_params): the AWS account that
 * must own the bucket. S3 refuses a request whose bucket belongs to another account (403), so artifacts are
 * never written to, or read from, a bucket someone else created under the expected name.
 */

/** The extra input of every S3 command: `ExpectedBucketOwner`, or nothing. */
export interface BucketOwnerParams {
  ExpectedBucketOwner?: string;
}

/** The header S3 reads the owner from, and the query parameter of a URL signed for a browser. */
export const BUCKET_OWNER_HEADER = "x-amz-expected-bucket-owner";

/** An empty value means no owner, as MLflow's `if owner := MLFLOW_S3_EXPECTED_BUCKET_OWNER.get()`. */
export function bucketOwnerParams(env: NodeJS.ProcessEnv): BucketOwnerParams {
  const owner = env.MLFLOW_S3_EXPECTED_BUCKET_OWNER;
  return owner ? { ExpectedBucketOwner: owner } : {};
}

/**
 * The headers a client must send with a URL signed with the owner as a header. MLflow 3.17 signs
 * `x-amz-expected-bucket-owner` into its PUT and part URLs but leaves it out of the headers it answers, so
 * a client that sends only those fails with SignatureDoesNotMatch; listing it keeps MLflow's URL and makes it
 * usable (MLflow's own client sends every listed header).
 */
export function bucketOwnerHeaders(params: BucketOwnerParams): Record<string, string> {
  return params.ExpectedBucketOwner === undefined
    ? {}
    : { [BUCKET_OWNER_HEADER]: params.ExpectedBucketOwner };
}
