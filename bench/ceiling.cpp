// blobwatch-ceiling: the "parse-only ceiling" the benchmark compares blobwatch with.
//
//   blobwatch-ceiling cloudtrail FILE   simdjson On-Demand over one JSON record per line,
//                                       extracting the fields blobwatch's CloudTrail parser reads
//   blobwatch-ceiling azure-blob FILE   the same for Azure Monitor resource logs (AzureBlobParser's
//                                       fields)
//   blobwatch-ceiling gcs-audit FILE    the same for Cloud Audit Logs (GcsAuditParser's fields)
//   blobwatch-ceiling s3-access FILE    a minimal S3 access-log tokenizer (fields 1 to 17)
//
// All stream FILE through one reused 4 MiB buffer (with SIMDJSON_PADDING spare bytes after it),
// do nothing with the fields but add their lengths to a checksum, and print records/s and MB/s
// (1 MB = 10^6 bytes): no event building, no detectors, no state. What blobwatch adds on top of
// this is its own cost.

#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

namespace {

namespace od = simdjson::ondemand;

constexpr size_t kChunkBytes = 4u << 20;

// The On-Demand kernel compiled into this binary (chosen by -march), as blobwatch's parser gets.
#define BLOBWATCH_STR2(x) #x
#define BLOBWATCH_STR(x) BLOBWATCH_STR2(x)
constexpr const char* kKernel = BLOBWATCH_STR(SIMDJSON_BUILTIN_IMPLEMENTATION);

struct Stats {
  uint64_t records = 0;
  uint64_t errors = 0;
  uint64_t bytes = 0;
  uint64_t checksum = 0;
};

// ---------------------------------------------------------------------------------------------
// CloudTrail: the fields CloudTrailParser reads, in one pass over each object.

bool keyIs(od::raw_json_string key, std::string_view name) { return key.unsafe_is_equal(name); }

void addString(od::value v, uint64_t& sum) {
  std::string_view s;
  if (v.get_string().get(s) == simdjson::SUCCESS) sum += s.size();
}

void addCount(od::value v, uint64_t& sum) {
  int64_t i = 0;
  if (v.get_int64().get(i) == simdjson::SUCCESS) sum += static_cast<uint64_t>(i);
}

simdjson::error_code readIdentity(od::object obj, uint64_t& sum) {
  for (auto field : obj) {
    od::raw_json_string key;
    if (auto err = field.key().get(key)) return err;
    if (keyIs(key, "type") || keyIs(key, "arn") || keyIs(key, "accountId") ||
        keyIs(key, "principalId") || keyIs(key, "invokedBy")) {
      addString(field.value(), sum);
    }
  }
  return simdjson::SUCCESS;
}

template <typename F>
simdjson::error_code forEachField(od::value v, F&& f) {
  od::object obj;
  if (v.get_object().get(obj) != simdjson::SUCCESS) return simdjson::SUCCESS;
  for (auto field : obj) {
    od::raw_json_string key;
    if (auto err = field.key().get(key)) return err;
    f(key, field.value());
  }
  return simdjson::SUCCESS;
}

simdjson::error_code readCloudTrail(od::document& doc, uint64_t& sum) {
  od::object top;
  if (auto err = doc.get_object().get(top)) return err;
  for (auto field : top) {
    od::raw_json_string key;
    if (auto err = field.key().get(key)) return err;
    od::value v = field.value();
    simdjson::error_code err = simdjson::SUCCESS;
    switch (key.raw()[0]) {
      case 'e':
        if (keyIs(key, "eventTime") || keyIs(key, "eventSource") || keyIs(key, "eventName") ||
            keyIs(key, "errorCode")) {
          addString(v, sum);
        }
        break;
      case 's':
        if (keyIs(key, "sourceIPAddress")) addString(v, sum);
        break;
      case 'u':
        if (keyIs(key, "userAgent")) {
          addString(v, sum);
        } else if (keyIs(key, "userIdentity")) {
          od::object obj;
          if (v.get_object().get(obj) == simdjson::SUCCESS) err = readIdentity(obj, sum);
        }
        break;
      case 'r':
        if (keyIs(key, "requestID")) {
          addString(v, sum);
        } else if (keyIs(key, "requestParameters")) {
          err = forEachField(v, [&](od::raw_json_string k, od::value x) {
            if (keyIs(k, "bucketName") || keyIs(k, "key")) addString(x, sum);
          });
        }
        break;
      case 'a':
        if (keyIs(key, "additionalEventData")) {
          err = forEachField(v, [&](od::raw_json_string k, od::value x) {
            if (keyIs(k, "bytesTransferredIn") || keyIs(k, "bytesTransferredOut")) {
              addCount(x, sum);
            } else if (keyIs(k, "AuthenticationMethod")) {
              addString(x, sum);
            }
          });
        }
        break;
      case 't':
        if (keyIs(key, "tlsDetails")) {
          od::object obj;
          od::value tls;
          if (v.get_object().get(obj) == simdjson::SUCCESS &&
              obj.find_field_unordered("tlsVersion").get(tls) == simdjson::SUCCESS) {
            addString(tls, sum);
          }
        }
        break;
      default:
        break;
    }
    if (err) return err;
  }
  return simdjson::SUCCESS;
}

// ---------------------------------------------------------------------------------------------
// Azure Monitor resource logs: the fields AzureBlobParser reads (a bare record per line; the
// parser's {"records":[...]} envelope is not in the benchmark data).

void addStatus(od::value v, uint64_t& sum) {
  od::json_type t;
  if (v.type().get(t) != simdjson::SUCCESS) return;
  if (t == od::json_type::number) {
    addCount(v, sum);
  } else {
    addString(v, sum);
  }
}

simdjson::error_code readAzureIdentity(od::object obj, uint64_t& sum) {
  for (auto field : obj) {
    od::raw_json_string key;
    if (auto err = field.key().get(key)) return err;
    if (keyIs(key, "type") || keyIs(key, "tokenHash")) {
      addString(field.value(), sum);
    } else if (keyIs(key, "requester")) {
      if (auto err = forEachField(field.value(), [&](od::raw_json_string k, od::value x) {
            if (keyIs(k, "upn") || keyIs(k, "uniqueName") || keyIs(k, "objectId") ||
                keyIs(k, "appId")) {
              addString(x, sum);
            }
          })) {
        return err;
      }
    } else if (keyIs(key, "authorization")) {
      od::array arr;
      if (field.value().get_array().get(arr) != simdjson::SUCCESS) continue;
      for (auto element : arr) {
        od::value entry;
        if (auto err = element.get(entry)) return err;
        auto err = forEachField(entry, [&](od::raw_json_string k, od::value x) {
          if (!keyIs(k, "principals")) return;
          od::array principals;
          if (x.get_array().get(principals) != simdjson::SUCCESS) return;
          for (auto p : principals) {
            od::value pv;
            if (p.get(pv) != simdjson::SUCCESS) return;
            (void)forEachField(pv, [&](od::raw_json_string pk, od::value px) {
              if (keyIs(pk, "type")) addString(px, sum);
            });
          }
        });
        if (err) return err;
      }
    }
  }
  return simdjson::SUCCESS;
}

simdjson::error_code readAzureBlob(od::document& doc, uint64_t& sum) {
  od::object top;
  if (auto err = doc.get_object().get(top)) return err;
  for (auto field : top) {
    od::raw_json_string key;
    if (auto err = field.key().get(key)) return err;
    od::value v = field.value();
    simdjson::error_code err = simdjson::SUCCESS;
    switch (key.raw()[0]) {
      case 't':
        if (keyIs(key, "time")) addString(v, sum);
        break;
      case 'o':
        if (keyIs(key, "operationName")) addString(v, sum);
        break;
      case 'c':
        if (keyIs(key, "category") || keyIs(key, "callerIpAddress") ||
            keyIs(key, "correlationId")) {
          addString(v, sum);
        }
        break;
      case 's':
        if (keyIs(key, "statusCode")) {
          addStatus(v, sum);
        } else if (keyIs(key, "statusText")) {
          addString(v, sum);
        }
        break;
      case 'r':
        if (keyIs(key, "resourceId")) addString(v, sum);
        break;
      case 'u':
        if (keyIs(key, "uri")) addString(v, sum);
        break;
      case 'i':
        if (keyIs(key, "identity")) {
          od::object obj;
          if (v.get_object().get(obj) == simdjson::SUCCESS) err = readAzureIdentity(obj, sum);
        }
        break;
      case 'p':
        if (keyIs(key, "properties")) {
          err = forEachField(v, [&](od::raw_json_string k, od::value x) {
            if (keyIs(k, "accountName") || keyIs(k, "objectKey") || keyIs(k, "userAgentHeader") ||
                keyIs(k, "tlsVersion")) {
              addString(x, sum);
            } else if (keyIs(k, "responseBodySize") || keyIs(k, "requestBodySize") ||
                       keyIs(k, "contentLengthHeader")) {
              addCount(x, sum);
            }
          });
        }
        break;
      default:
        break;
    }
    if (err) return err;
  }
  return simdjson::SUCCESS;
}

// ---------------------------------------------------------------------------------------------
// GCS Cloud Audit Logs: the fields GcsAuditParser reads from a LogEntry (not the Pub/Sub
// envelope, which the benchmark data does not use).

simdjson::error_code readGcsPayload(od::value payload, uint64_t& sum) {
  od::object obj;
  if (payload.get_object().get(obj) != simdjson::SUCCESS) return simdjson::SUCCESS;
  for (auto field : obj) {
    od::raw_json_string key;
    if (auto err = field.key().get(key)) return err;
    od::value v = field.value();
    simdjson::error_code err = simdjson::SUCCESS;
    switch (key.raw()[0]) {
      case 'a':
        if (keyIs(key, "authenticationInfo")) {
          err = forEachField(v, [&](od::raw_json_string k, od::value x) {
            if (keyIs(k, "principalEmail") || keyIs(k, "principalSubject")) {
              addString(x, sum);
            } else if (keyIs(k, "oauthInfo")) {
              od::object o;
              od::value id;
              if (x.get_object().get(o) == simdjson::SUCCESS &&
                  o.find_field_unordered("oauthClientId").get(id) == simdjson::SUCCESS) {
                addString(id, sum);
              }
            }
          });
        }
        break;
      case 'm':
        if (keyIs(key, "methodName")) {
          addString(v, sum);
        } else if (keyIs(key, "metadata")) {
          err = forEachField(v, [&](od::raw_json_string k, od::value x) {
            if (keyIs(k, "audit_context")) {
              od::object ctx;
              od::value info;
              if (x.get_object().get(ctx) != simdjson::SUCCESS ||
                  ctx.find_field_unordered("audit_info").get(info) != simdjson::SUCCESS) {
                return;
              }
              od::object infoObj;
              if (info.get_object().get(infoObj) != simdjson::SUCCESS) return;
              for (auto h : infoObj) {  // the parser looks at each header name
                std::string_view name;
                if (h.unescaped_key().get(name) != simdjson::SUCCESS) return;
                sum += name.size();
              }
            } else if (keyIs(k, "resourceNames")) {
              od::array names;
              if (x.get_array().get(names) != simdjson::SUCCESS) return;
              for (auto n : names) {
                std::string_view s;
                if (n.get_string().get(s) == simdjson::SUCCESS) sum += s.size();
              }
            }
          });
        }
        break;
      case 'r':
        if (keyIs(key, "resourceName")) {
          addString(v, sum);
        } else if (keyIs(key, "requestMetadata")) {
          err = forEachField(v, [&](od::raw_json_string k, od::value x) {
            if (keyIs(k, "callerIp") || keyIs(k, "callerIP") ||
                keyIs(k, "callerSuppliedUserAgent")) {
              addString(x, sum);
            } else if (keyIs(k, "requestAttributes")) {
              (void)forEachField(x, [&](od::raw_json_string a, od::value ax) {
                if (keyIs(a, "time") || keyIs(a, "query")) addString(ax, sum);
              });
            }
          });
        }
        break;
      case 's':
        if (keyIs(key, "serviceName")) {
          addString(v, sum);
        } else if (keyIs(key, "status")) {
          err = forEachField(v, [&](od::raw_json_string k, od::value x) {
            if (keyIs(k, "code")) {
              addCount(x, sum);
            } else if (keyIs(k, "message")) {
              addString(x, sum);
            }
          });
        }
        break;
      default:
        break;
    }
    if (err) return err;
  }
  return simdjson::SUCCESS;
}

simdjson::error_code readGcsAudit(od::document& doc, uint64_t& sum) {
  od::object top;
  if (auto err = doc.get_object().get(top)) return err;
  for (auto field : top) {
    od::raw_json_string key;
    if (auto err = field.key().get(key)) return err;
    od::value v = field.value();
    simdjson::error_code err = simdjson::SUCCESS;
    switch (key.raw()[0]) {
      case 'i':
        if (keyIs(key, "insertId")) addString(v, sum);
        break;
      case 't':
        if (keyIs(key, "timestamp")) addString(v, sum);
        break;
      case 'p':
        if (keyIs(key, "protoPayload")) err = readGcsPayload(v, sum);
        break;
      case 'r':
        if (keyIs(key, "receiveTimestamp")) {
          addString(v, sum);
        } else if (keyIs(key, "resource")) {
          od::object obj;
          od::value labels;
          od::object labelsObj;
          od::value bucket;
          if (v.get_object().get(obj) == simdjson::SUCCESS &&
              obj.find_field_unordered("labels").get(labels) == simdjson::SUCCESS &&
              labels.get_object().get(labelsObj) == simdjson::SUCCESS &&
              labelsObj.find_field_unordered("bucket_name").get(bucket) == simdjson::SUCCESS) {
            addString(bucket, sum);
          }
        }
        break;
      default:
        break;
    }
    if (err) return err;
  }
  return simdjson::SUCCESS;
}

// ---------------------------------------------------------------------------------------------
// S3 access logs: split fields 1-17 honouring [time] and "quoted" fields.

constexpr size_t kS3Fields = 17;

// Returns the number of fields found (at most kS3Fields); adds their lengths to `sum`.
size_t tokenizeS3(const char* p, const char* end, uint64_t& sum) {
  size_t n = 0;
  while (p < end && n < kS3Fields) {
    while (p < end && *p == ' ') ++p;
    if (p >= end) break;
    const char* fieldEnd;
    if (*p == '[' || *p == '"') {
      const char close = *p == '[' ? ']' : '"';
      const auto* q =
          static_cast<const char*>(std::memchr(p + 1, close, static_cast<size_t>(end - p - 1)));
      if (q == nullptr) return 0;
      sum += static_cast<uint64_t>(q - p - 1);
      fieldEnd = q + 1;
    } else {
      const auto* q = static_cast<const char*>(std::memchr(p, ' ', static_cast<size_t>(end - p)));
      fieldEnd = q == nullptr ? end : q;
      sum += static_cast<uint64_t>(fieldEnd - p);
    }
    ++n;
    p = fieldEnd;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------

enum class Kind { kCloudTrail, kAzureBlob, kGcsAudit, kS3 };

class Runner {
 public:
  explicit Runner(Kind kind) : kind_(kind), buf_(kChunkBytes + simdjson::SIMDJSON_PADDING) {}

  // Handles one line [p, p+len) inside buf_.
  void line(const char* p, size_t len) {
    if (len > 0 && p[len - 1] == '\r') --len;
    if (len == 0) return;
    if (kind_ == Kind::kS3) {
      if (tokenizeS3(p, p + len, stats_.checksum) == kS3Fields) {
        ++stats_.records;
      } else {
        ++stats_.errors;
      }
      return;
    }
    const size_t capacity = buf_.size() - static_cast<size_t>(p - buf_.data());
    od::document doc;
    if (parser_.iterate(p, len, capacity).get(doc) != simdjson::SUCCESS ||
        read(doc) != simdjson::SUCCESS) {
      ++stats_.errors;
    } else {
      ++stats_.records;
    }
  }

  simdjson::error_code read(od::document& doc) {
    switch (kind_) {
      case Kind::kAzureBlob:
        return readAzureBlob(doc, stats_.checksum);
      case Kind::kGcsAudit:
        return readGcsAudit(doc, stats_.checksum);
      default:
        return readCloudTrail(doc, stats_.checksum);
    }
  }

  bool run(int fd) {
    size_t filled = 0;
    for (;;) {
      if (filled == kChunkBytes) {  // one line longer than the buffer: grow it
        buf_.resize(buf_.size() * 2);
      }
      const size_t room = buf_.size() - simdjson::SIMDJSON_PADDING - filled;
      const ssize_t got = ::read(fd, buf_.data() + filled, room);
      if (got < 0) return false;
      stats_.bytes += static_cast<uint64_t>(got);
      const size_t end = filled + static_cast<size_t>(got);
      const char* base = buf_.data();
      size_t pos = 0;
      for (;;) {
        const auto* nl = static_cast<const char*>(std::memchr(base + pos, '\n', end - pos));
        if (nl == nullptr) break;
        const auto len = static_cast<size_t>(nl - (base + pos));
        line(base + pos, len);
        pos += len + 1;
      }
      if (got == 0) {  // end of file: the remainder is the last line
        if (pos < end) line(base + pos, end - pos);
        return true;
      }
      filled = end - pos;
      std::memmove(buf_.data(), base + pos, filled);
    }
  }

  const Stats& stats() const { return stats_; }

 private:
  Kind kind_;
  std::vector<char> buf_;
  od::parser parser_;
  Stats stats_;
};

}  // namespace

int main(int argc, char** argv) {
  const std::string_view format = argc == 3 ? argv[1] : "";
  Kind kind;
  if (format == "cloudtrail") {
    kind = Kind::kCloudTrail;
  } else if (format == "azure-blob") {
    kind = Kind::kAzureBlob;
  } else if (format == "gcs-audit") {
    kind = Kind::kGcsAudit;
  } else if (format == "s3-access") {
    kind = Kind::kS3;
  } else {
    std::fprintf(stderr,
                 "usage: blobwatch-ceiling cloudtrail|azure-blob|gcs-audit|s3-access FILE\n");
    return 2;
  }
  const int fd = std::strcmp(argv[2], "-") == 0 ? 0 : ::open(argv[2], O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::fprintf(stderr, "blobwatch-ceiling: cannot open %s: %s\n", argv[2], std::strerror(errno));
    return 1;
  }
  Runner runner(kind);
  const auto start = std::chrono::steady_clock::now();
  if (!runner.run(fd)) {
    std::fprintf(stderr, "blobwatch-ceiling: read error on %s: %s\n", argv[2],
                 std::strerror(errno));
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const Stats& s = runner.stats();
  const double rps = static_cast<double>(s.records) / seconds;
  const double mbps = static_cast<double>(s.bytes) / 1e6 / seconds;
  // On-Demand's value iteration is compiled into the binary (kKernel); stage 1 (the structural
  // index) is chosen at run time for the CPU, and is resolved by now.
  std::printf("blobwatch-ceiling %s (simdjson %s kernel, stage 1 %s): %" PRIu64 " records, %" PRIu64
              " errors, %.1f MB in %.3f s: %.0f records/s, %.1f MB/s (checksum %" PRIu64 ")\n",
              argv[1], kKernel, simdjson::get_active_implementation()->name().c_str(), s.records,
              s.errors, static_cast<double>(s.bytes) / 1e6, seconds, rps, mbps, s.checksum);
  std::printf("{\"records\":%" PRIu64 ",\"errors\":%" PRIu64 ",\"bytes\":%" PRIu64
              ",\"seconds\":%.6f,\"records_per_s\":%.0f,\"mb_per_s\":%.1f,\"checksum\":%" PRIu64
              "}\n",
              s.records, s.errors, s.bytes, seconds, rps, mbps, s.checksum);
  return 0;
}
