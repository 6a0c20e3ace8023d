#pragma once

// Built-in seeds shared by every fuzz target: one of each shape each parser must survive.
namespace blobwatch::fuzz {

inline constexpr const char* kSeeds[] = {
    // S3 server access log, 26 fields, then an 18-field line and an anonymous one.
    "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be bucket "
    "[06/Feb/2019:00:00:38 +0000] 192.0.2.3 arn:aws:sts::1:assumed-role/r/s 3E57427F3EXAMPLE "
    "REST.GET.OBJECT a%2Bb+c \"GET /bucket/a%2Bb+c?X-Amz-Credential=x HTTP/1.1\" 200 - 113 113 7 "
    "- \"-\" \"S3Console/0.4\" - s9lzHYrFp76Z= SigV4 ECDHE-RSA-AES128-GCM-SHA256 AuthHeader "
    "bucket.s3.us-west-1.amazonaws.com TLSV1.2 - Yes\n"
    "o b [10/Feb/2010:07:17:01 +0100] 10.32.219.38 - 784FD457838EFF42 REST.GET.ACL - "
    "\"GET /?acl HTTP/1.1\" 307 TemporaryRedirect 1384 - 399 - \"-\" \"a \\\"b\\\" c\" -\n",
    // CloudTrail: bare record, Records wrapper, EventBridge envelope.
    "{\"eventVersion\":\"1.09\",\"userIdentity\":{\"type\":\"AssumedRole\",\"arn\":"
    "\"arn:aws:sts::1:assumed-role/r/s\",\"accountId\":\"1\",\"sessionContext\":{"
    "\"sessionIssuer\":{\"arn\":\"arn:aws:iam::1:role/r\"}}},\"eventTime\":"
    "\"2024-10-08T12:24:16Z\",\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\","
    "\"sourceIPAddress\":\"2001:db8::1\",\"requestParameters\":{\"bucketName\":\"b\",\"key\":"
    "\"k\"},\"additionalEventData\":{\"bytesTransferredOut\":\"12\",\"AuthenticationMethod\":"
    "\"QueryString\"},\"requestID\":\"R\",\"errorCode\":\"AccessDenied\",\"tlsDetails\":{"
    "\"tlsVersion\":\"TLSv1.3\"}}\n",
    "{\"Records\":[{\"eventTime\":\"2019-02-01 03:18:19.123\",\"eventName\":\"ListBucket\","
    "\"userIdentity\":{\"accountId\":\"ANONYMOUS_PRINCIPAL\"}},\n {\"eventSource\":"
    "\"iam.amazonaws.com\",\"eventName\":\"X\",\"eventTime\":\"2019-02-01T03:18:19Z\"}]}\n",
    "{\"version\":\"0\",\"detail-type\":\"AWS API Call via CloudTrail\",\"detail\":{"
    "\"eventTime\":\"2020-02-05T18:25:30Z\",\"eventName\":\"JobStatusChanged\",\"userIdentity\":"
    "{\"accountId\":\"1\",\"invokedBy\":\"s3.amazonaws.com\"}}}",
    // MinIO audit: a 2024-style NDJSON entry (accessKey + parentUser, presigned query, bracketed
    // IPv6 remotehost with a port, InNS durations), then a pretty-printed 2018-style entry with
    // api.args and no status, then an anonymous one with Go durations.
    "{\"version\":\"1\",\"deploymentid\":\"d-1\",\"time\":\"2024-05-01T10:00:00.123456789Z\","
    "\"event\":\"\",\"trigger\":\"incoming\",\"api\":{\"name\":\"GetObject\",\"bucket\":\"harbor\","
    "\"object\":\"docker/registry/v2/blobs/sha256/ab/ab00/data\",\"objects\":[{\"objectName\":"
    "\"x\"}],\"status\":\"Forbidden\",\"statusCode\":403,\"rx\":0,\"tx\":-1,\"timeToResponse\":"
    "\"1200ns\",\"timeToResponseInNS\":\"1200\"},\"remotehost\":\"[2001:db8::7]:9000\","
    "\"requestID\":\"17CD000000000001\",\"userAgent\":\"docker-distribution/v2.8.3 aws-sdk-go\","
    "\"requestQuery\":{\"X-Amz-Credential\":\"AK1/20240501/us-east-1/s3/aws4_request\","
    "\"X-Amz-Signature\":\"00\"},\"requestHeader\":{\"Authorization\":\"AWS AK2:c2ln\"},"
    "\"accessKey\":\"AK1\",\"parentUser\":\"harbor\",\"error\":\"AccessDenied\"}\n"
    "{\n  \"version\": \"1\",\n  \"time\": \"2018-11-02T21:57:58.2Z\",\n  \"api\": {\n"
    "    \"name\": \"PutObject\",\n    \"args\": {\"bucket\": \"b\", \"object\": \"k\"}\n  },\n"
    "  \"remotehost\": \"10.0.0.1:5555\",\n  \"requestHeader\": {\"Authorization\": "
    "\"AWS4-HMAC-SHA256 Credential=minio/20181102/us-east-1/s3/aws4_request, Signature=0\"}\n}\n"
    "{\"time\":\"2019-08-12T21:34:37Z\",\"api\":{\"name\":\"ListObjectsV1\",\"statusCode\":\"200\","
    "\"timeToFirstByte\":\"0s\",\"timeToResponse\":\"2.5ms\"},\"remotehost\":\"::1\"}\n",
    // Azure Monitor resource log (StorageRead, SAS, ranged read).
    "{\"time\":\"2024-05-01T10:00:00.1234567Z\",\"resourceId\":\"/subscriptions/0/resourceGroups/"
    "rg/providers/Microsoft.Storage/storageAccounts/acct/blobServices/default\",\"category\":"
    "\"StorageRead\",\"operationName\":\"GetBlob\",\"operationVersion\":\"2021-08-06\","
    "\"schemaVersion\":\"1.0\",\"statusCode\":206,\"statusText\":\"SASSuccess\",\"durationMs\":12,"
    "\"callerIpAddress\":\"203.0.113.7:51234\",\"correlationId\":\"c0-1\",\"identity\":{\"type\":"
    "\"SAS\",\"tokenHash\":\"key1(AB),SasSignature(CD)\"},\"location\":\"eastus\",\"properties\":{"
    "\"accountName\":\"acct\",\"userAgentHeader\":\"azsdk-go/1.0\",\"serviceType\":\"blob\","
    "\"objectKey\":\"/acct/c/dir/f.bin\",\"responseBodySize\":1024,\"requestBodySize\":0,"
    "\"tlsVersion\":\"TLS 1.2\",\"etag\":\"\\\"0x8DC\\\"\"},\"uri\":\"https://acct.blob.core."
    "windows.net:443/c/dir/f.bin?sv=2021-08-06&sp=r&sig=XXXXX\",\"protocol\":\"HTTPS\","
    "\"resourceType\":\"Microsoft.Storage/storageAccounts/blobServices\"}\n",
    // Azure Storage Analytics 1.0 line (30 fields, quoted and HTML-encoded).
    "1.0;2024-05-01T10:00:00.1234567Z;GetBlob;AnonymousSuccess;200;12;10;anonymous;;acct;blob;"
    "\"https://acct.blob.core.windows.net/c/a;b.txt?x=1&amp;y=2\";\"/acct/c/a;b.txt\";"
    "a1b2c3d4-0001-0000-0000-000000000000;0;203.0.113.5:50123;2009-09-19;250;0;310;42;0;;;"
    "\"&quot;0x8DC0000000000&quot;\";Wednesday, 01-May-24 09:00:00 GMT;;\"curl/8.4.0\";;\n",
    // GCS Cloud Audit Logs LogEntry (data access, storage.objects.get).
    "{\"protoPayload\":{\"@type\":\"type.googleapis.com/google.cloud.audit.AuditLog\","
    "\"status\":{\"code\":7,\"message\":\"denied\"},\"authenticationInfo\":{\"principalEmail\":"
    "\"sa@proj.iam.gserviceaccount.com\"},\"requestMetadata\":{\"callerIp\":\"2001:db8::5\","
    "\"callerSuppliedUserAgent\":\"gcloud/450.0.0,gzip(gfe)\"},\"serviceName\":"
    "\"storage.googleapis.com\",\"methodName\":\"storage.objects.get\",\"authorizationInfo\":[{"
    "\"resource\":\"projects/_/buckets/b/objects/o.txt\",\"permission\":\"storage.objects.get\","
    "\"granted\":false}],\"resourceName\":\"projects/_/buckets/b/objects/o.txt\"},\"insertId\":"
    "\"i1\",\"resource\":{\"type\":\"gcs_bucket\",\"labels\":{\"bucket_name\":\"b\","
    "\"project_id\":\"proj\",\"location\":\"us-east1\"}},\"timestamp\":"
    "\"2024-05-01T10:00:00.123456789Z\",\"severity\":\"ERROR\",\"logName\":\"projects/proj/logs/"
    "cloudaudit.googleapis.com%2Fdata_access\"}\n",
    // GCS audit entries as `gcloud logging read --format=json` prints them: a JSON array.
    "[\n  {\"insertId\":\"a1\",\"timestamp\":\"2024-05-01T10:00:00Z\",\"protoPayload\":{"
    "\"serviceName\":\"storage.googleapis.com\",\"methodName\":\"storage.objects.get\","
    "\"resourceName\":\"projects/_/buckets/b/objects/o\"}},\n  {\"insertId\":\"a2\","
    "\"protoPayload\":{\"serviceName\":\"storage.googleapis.com\",\"methodName\":"
    "\"storage.objects.delete\"}}\n]\n",
    // GCS usage log: CSV header and one row.
    "\"time_micros\",\"c_ip\",\"c_ip_type\",\"c_ip_region\",\"cs_method\",\"cs_uri\","
    "\"sc_status\",\"cs_bytes\",\"sc_bytes\",\"time_taken_micros\",\"cs_host\",\"cs_referer\","
    "\"cs_user_agent\",\"s_request_id\",\"cs_operation\",\"cs_bucket\",\"cs_object\"\n"
    "\"1714557600123456\",\"2001:db8::9\",\"2\",\"\",\"GET\",\"/b/o%20x.txt?alt=media\",\"200\","
    "\"0\",\"42\",\"1500\",\"storage.googleapis.com\",\"\",\"curl/8.4.0,gzip(gfe)\",\"AAANs0\","
    "\"GET_Object\",\"b\",\"o x.txt\"\n",
    // Edge cases.
    "",
    "{}",
    "[1,2]",
    "\"\\u0000\\ud800\"",
};

}  // namespace blobwatch::fuzz
