// The "s3" ObjectStore: s3://bucket/prefix URIs wherever a lake or output
// path is accepted, through S3Client.
//
// Paths inside the store are object keys (a leading '/' is ignored), so the
// lake "s3://bucket/lake" holds "lake/users/raw/...". Output streams keep at
// most one part in memory while filling it: objects up to the part size go
// in one PUT at Commit(); larger ones become a multipart upload whose parts
// are sent while the next ones fill (up to S3Options::parallel_parts at
// once) and which is completed at Commit(), so the object appears whole or
// not at all. Abort(), a failed part or a failed completion abort the
// upload: no orphaned parts stay behind. With OutputOptions::overwrite
// false, Commit() is a conditional create (If-None-Match: *).
// List() treats its prefix as a directory, like the local store.
#pragma once

#include <memory>

#include "core/result.h"
#include "s3/s3_client.h"
#include "storage/object_store.h"

namespace lakepipe::s3 {

// A store for one bucket.
Result<std::unique_ptr<ObjectStore>> NewS3Store(std::shared_ptr<S3Client> client,
                                                std::string bucket);

// S3Options completed from the environment and the usual AWS files. Values
// already set in `base` (flags, the config file's s3 section) win; then
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN,
// AWS_REGION or AWS_DEFAULT_REGION, AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL
// and AWS_PROFILE, each from the real environment or else from ./.env; then
// the profile (else "default") of ~/.aws/credentials
// (AWS_SHARED_CREDENTIALS_FILE) and ~/.aws/config (AWS_CONFIG_FILE). Empty
// strings are unset (so pass region "" unless given), and the region falls
// back to us-east-1. kFailedPrecondition when no credentials are found,
// unless `need_credentials` is false (to learn the endpoint and region).
Result<S3Options> ResolveS3Options(S3Options base, bool need_credentials = true);

// Registers "s3" in `registry`; each URI resolves its options with
// ResolveS3Options(base).
void RegisterS3Store(ObjectStoreRegistry* registry, S3Options base);

}  // namespace lakepipe::s3
