package io.freshet.services;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How to reach an S3-compatible object store: its endpoint, a bucket and the credentials, with the
 * settings Flink's S3 file system and Iceberg's S3FileIO need for it. {@link #toString()} leaves
 * the secret out.
 *
 * @param endpoint e.g. {@code http://127.0.0.1:29190}
 * @param bucket the bucket to use, e.g. {@code freshet}
 * @param credentialsFile where the access key and the secret are kept (to point users at)
 */
public record ObjectStore(
    String endpoint, String bucket, String accessKey, String secretKey, Path credentialsFile) {

  /** {@code s3://<bucket>/<path>}. */
  public String uri(String path) {
    return "s3://" + bucket + "/" + path;
  }

  /**
   * Flink's settings for its S3 file system (flink-s3-fs-hadoop) on this store: the endpoint,
   * path-style access (bucket in the path, as every S3-compatible server understands) and the keys.
   * Flink masks {@code s3.secret-key} in its web UI and logs (its name holds "secret").
   */
  public Map<String, String> flinkSettings() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("s3.endpoint", endpoint);
    s.put("s3.path.style.access", "true");
    s.put("s3.access-key", accessKey);
    s.put("s3.secret-key", secretKey);
    return s;
  }

  /**
   * Iceberg catalog properties for its S3FileIO on this store (iceberg-aws, with the AWS SDK from
   * iceberg-aws-bundle): the same endpoint, path-style access and keys, and a region, which the SDK
   * requires and the store ignores.
   */
  public Map<String, String> icebergCatalogProperties() {
    Map<String, String> p = new LinkedHashMap<>();
    p.put("io-impl", "org.apache.iceberg.aws.s3.S3FileIO");
    p.put("s3.endpoint", endpoint);
    p.put("s3.path-style-access", "true");
    p.put("s3.access-key-id", accessKey);
    p.put("s3.secret-access-key", secretKey);
    p.put("client.region", "us-east-1");
    return p;
  }

  @Override
  public String toString() {
    return "ObjectStore{endpoint="
        + endpoint
        + ", bucket="
        + bucket
        + ", accessKey="
        + accessKey
        + ", secret in "
        + credentialsFile
        + "}";
  }
}
