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
    // Edge cases.
    "",
    "{}",
    "[1,2]",
    "\"\\u0000\\ud800\"",
};

}  // namespace blobwatch::fuzz
