// The webhook sink: an HMAC-signed HTTP(S) POST of the alert JSON per request, with libcurl. Also
// the small HTTP client the Alertmanager sink shares (detail::openHttpTarget, detail::httpPost).

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <simdjson.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "daemon/alert_sink.h"

namespace blobwatch::daemon::detail {

// One endpoint and its reused libcurl easy handle (connections are kept alive between requests).
struct HttpTarget {
  std::string sinkName;
  std::string redact;  // a secret that must never reach a message
  CURL* curl = nullptr;
  char errorBuffer[CURL_ERROR_SIZE] = {};
  std::string response;
  ~HttpTarget() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

std::shared_ptr<HttpTarget> openHttpTarget(const SinkConfig& config, const std::string& url,
                                           const std::string& redact, std::string& error);
DeliveryResult httpPost(HttpTarget& target, const std::string& body,
                        const std::vector<std::string>& headers);

namespace {

constexpr size_t kMaxResponse = 4096;  // of the response body, kept for messages

size_t collect(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  const size_t n = size * count;
  if (out->size() < kMaxResponse) out->append(data, std::min(n, kMaxResponse - out->size()));
  return n;
}

// Printable, single-line, bounded text of a response body or curl error for a log message.
std::string printable(std::string_view text, size_t max) {
  std::string out;
  for (const char c : text.substr(0, max)) {
    out.push_back(static_cast<unsigned char>(c) < 0x20 || c == 0x7f ? ' ' : c);
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (text.size() > max) out += "...";
  return out;
}

std::string withoutSecret(std::string message, const std::string& secret) {
  if (secret.empty()) return message;
  for (size_t at = message.find(secret); at != std::string::npos; at = message.find(secret, at)) {
    message.replace(at, secret.size(), "[redacted]");
  }
  return message;
}

bool globalInit(std::string& error) {
  // Thread-safe: a function-local static is initialized once, whoever calls first.
  static const CURLcode rc = curl_global_init(CURL_GLOBAL_DEFAULT);
  if (rc != CURLE_OK) {
    error = std::string("libcurl initialization failed: ") + curl_easy_strerror(rc);
    return false;
  }
  return true;
}

}  // namespace

std::shared_ptr<HttpTarget> openHttpTarget(const SinkConfig& config, const std::string& url,
                                           const std::string& redact, std::string& error) {
  const std::string prefix = "sink." + config.name + ".";
  if (config.url.empty()) {
    error = prefix + "url is required for a " + config.type + " sink";
    return nullptr;
  }
  const bool https = config.url.starts_with("https://");
  if (!https && !config.url.starts_with("http://")) {
    error = prefix + "url: expected an http:// or https:// URL";
    return nullptr;
  }
  if (CURLU* u = curl_url(); u != nullptr) {
    const CURLUcode uc = curl_url_set(u, CURLUPART_URL, url.c_str(), 0);
    curl_url_cleanup(u);
    if (uc != CURLUE_OK) {
      error = prefix + "url: not a valid URL: " + curl_url_strerror(uc);
      return nullptr;
    }
  }
  if (!config.caFile.empty() && ::access(config.caFile.c_str(), R_OK) != 0) {
    error = prefix + "ca_file: cannot read " + config.caFile + ": " + std::strerror(errno);
    return nullptr;
  }
  if (config.timeoutMs <= 0) {
    error = prefix + "timeout_ms: must be positive";
    return nullptr;
  }
  if (!globalInit(error)) {
    error = "sink." + config.name + ": " + error;
    return nullptr;
  }
  auto t = std::make_shared<HttpTarget>();
  t->sinkName = config.name;
  t->redact = redact;
  t->curl = curl_easy_init();
  if (t->curl == nullptr) {
    error = "sink." + config.name + ": cannot create a libcurl handle";
    return nullptr;
  }
  CURL* c = t->curl;
  bool ok = curl_easy_setopt(c, CURLOPT_URL, url.c_str()) == CURLE_OK;
  ok = ok && curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https") == CURLE_OK;
  ok = ok && curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L) == CURLE_OK;
  ok = ok &&
       curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(config.timeoutMs)) == CURLE_OK;
  ok = ok && curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, config.tlsVerify ? 1L : 0L) == CURLE_OK;
  ok = ok && curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, config.tlsVerify ? 2L : 0L) == CURLE_OK;
  if (!config.caFile.empty()) {
    ok = ok && curl_easy_setopt(c, CURLOPT_CAINFO, config.caFile.c_str()) == CURLE_OK;
  }
  ok = ok && curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L) == CURLE_OK;
  ok = ok && curl_easy_setopt(c, CURLOPT_USERAGENT, "blobwatch/0.1.0") == CURLE_OK;
  ok = ok && curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t->errorBuffer) == CURLE_OK;
  ok = ok && curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &collect) == CURLE_OK;
  ok = ok && curl_easy_setopt(c, CURLOPT_WRITEDATA, &t->response) == CURLE_OK;
  ok = ok && curl_easy_setopt(c, CURLOPT_POST, 1L) == CURLE_OK;
  if (!ok) {
    error = prefix + "url: libcurl refused the settings (" + printable(t->errorBuffer, 200) + ")";
    return nullptr;
  }
  return t;
}

DeliveryResult httpPost(HttpTarget& t, const std::string& body,
                        const std::vector<std::string>& headers) {
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  // No "Expect: 100-continue" round trip for large bodies.
  list = curl_slist_append(list, "Expect:");
  t.response.clear();
  t.errorBuffer[0] = '\0';
  curl_easy_setopt(t.curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(t.curl, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(t.curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  const CURLcode rc = curl_easy_perform(t.curl);
  long status = 0;
  curl_easy_getinfo(t.curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_setopt(t.curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(t.curl, CURLOPT_POSTFIELDS, nullptr);
  curl_slist_free_all(list);

  DeliveryResult r;
  if (rc != CURLE_OK) {
    // Timeouts, refused connections, DNS and TLS failures: the endpoint or the network may come
    // back (or be fixed by an operator), so the alerts wait in the outbox rather than being lost.
    r.outcome = DeliveryOutcome::kRetry;
    r.httpStatus = 0;
    std::string detail = t.errorBuffer[0] != '\0' ? std::string(t.errorBuffer) : "";
    r.message = t.sinkName + ": request failed: " + curl_easy_strerror(rc) +
                (detail.empty() ? "" : " (" + printable(detail, 300) + ")");
    r.message = withoutSecret(std::move(r.message), t.redact);
    return r;
  }
  r.httpStatus = static_cast<int>(status);
  if (status >= 200 && status < 300) return r;
  // Other 4xx: this request will never be accepted. Anything else (5xx, 408, 429, and a 3xx of a
  // misconfigured URL, as redirects are not followed) may be fixed: retry.
  const bool reject = status >= 400 && status < 500 && status != 408 && status != 429;
  r.outcome = reject ? DeliveryOutcome::kReject : DeliveryOutcome::kRetry;
  r.message = t.sinkName + ": HTTP " + std::to_string(status) +
              (r.outcome == DeliveryOutcome::kRetry ? " (will retry)" : " (rejected)");
  const std::string excerpt = printable(t.response, 300);
  if (!excerpt.empty()) r.message += ": " + excerpt;
  r.message = withoutSecret(std::move(r.message), t.redact);
  return r;
}

}  // namespace blobwatch::daemon::detail

namespace blobwatch::daemon {

std::string webhookSignature(std::string_view secret, std::string_view timestamp,
                             std::string_view body) {
  std::string message;
  message.reserve(timestamp.size() + 1 + body.size());
  message.append(timestamp);
  message.push_back('.');
  message.append(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int macLen = 0;
  if (HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac,
           &macLen) == nullptr) {
    return {};
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * macLen);
  for (unsigned int i = 0; i < macLen; ++i) {
    hex.push_back(kHex[mac[i] >> 4]);
    hex.push_back(kHex[mac[i] & 0xf]);
  }
  return hex;
}

namespace {

// Reads the webhook secret from sink.NAME.secret_file or sink.NAME.secret_env. Error messages
// name the key and the file or variable, never the value.
bool loadSecret(const SinkConfig& config, std::string& secret, std::string& error) {
  const std::string prefix = "sink." + config.name + ".";
  if (!config.secretFile.empty() && !config.secretEnv.empty()) {
    error = prefix + "secret_file and " + prefix + "secret_env are both set; set one";
    return false;
  }
  if (!config.secretFile.empty()) {
    std::filesystem::path path(config.secretFile);
    // A relative name is a systemd credential (LoadCredential=) when $CREDENTIALS_DIRECTORY holds
    // it; otherwise it is relative to the working directory.
    if (path.is_relative()) {
      const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
      std::error_code ec;
      if (dir != nullptr && *dir != '\0' &&
          std::filesystem::exists(std::filesystem::path(dir) / path, ec)) {
        path = std::filesystem::path(dir) / path;
      }
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      error = prefix + "secret_file: cannot read " + path.string() + ": " + std::strerror(errno);
      return false;
    }
    std::ostringstream os;
    os << in.rdbuf();
    secret = os.str();
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r')) secret.pop_back();
    if (secret.empty()) {
      error = prefix + "secret_file: " + path.string() + " is empty";
      return false;
    }
    return true;
  }
  if (!config.secretEnv.empty()) {
    const char* value = std::getenv(config.secretEnv.c_str());
    if (value == nullptr || *value == '\0') {
      error = prefix + "secret_env: the environment variable " + config.secretEnv +
              " is not set or empty";
      return false;
    }
    secret = value;
    return true;
  }
  error = "sink." + config.name + ": a webhook needs a signing secret: set " + prefix +
          "secret_file or " + prefix + "secret_env";
  return false;
}

class WebhookSink final : public AlertSink {
 public:
  WebhookSink(const SinkConfig& config, std::string secret,
              std::shared_ptr<detail::HttpTarget> target)
      : name_(config.name),
        batch_(std::max<size_t>(config.batch, 1)),
        ocsf_(config.format == "ocsf"),
        secret_(std::move(secret)),
        target_(std::move(target)) {}

  const std::string& name() const override { return name_; }
  size_t maxBatch() const override { return batch_; }

  DeliveryResult deliver(const std::vector<std::string>& alerts) override {
    if (alerts.empty()) return {};
    std::string body, ids;
    if (batch_ > 1) body.push_back('[');
    simdjson::dom::parser parser;
    for (size_t i = 0; i < alerts.size(); ++i) {
      simdjson::dom::element doc;
      std::string_view id;
      // The id goes into headers: only the characters an alert id has (hex), never CR/LF or ','.
      if (parser.parse(alerts[i]).get(doc) != simdjson::SUCCESS ||
          doc["id"].get(id) != simdjson::SUCCESS || id.empty() ||
          !std::all_of(id.begin(), id.end(), [](char ch) {
            return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_';
          })) {
        return {DeliveryOutcome::kReject, 0,
                name_ + ": alert " + std::to_string(i) + " of the batch is not an alert object"};
      }
      if (i > 0) {
        ids.push_back(',');
        body.push_back(',');
      }
      ids.append(id);
      if (ocsf_) {
        const std::string finding = toOcsf(alerts[i]);
        if (finding.empty()) {
          return {DeliveryOutcome::kReject, 0,
                  name_ + ": alert " + std::string(id) + " cannot be converted to OCSF"};
        }
        body += finding;
      } else {
        body += alerts[i];
      }
    }
    if (batch_ > 1) body.push_back(']');

    const std::string timestamp = std::to_string(static_cast<long long>(std::time(nullptr)));
    std::vector<std::string> headers = {
        "Content-Type: application/json",
        "X-Blobwatch-Timestamp: " + timestamp,
        "X-Blobwatch-Signature: v1=" + webhookSignature(secret_, timestamp, body),
        "Idempotency-Key: " + ids,
        "X-Blobwatch-Alert-Ids: " + ids,
    };
    return detail::httpPost(*target_, body, headers);
  }

 private:
  std::string name_;
  size_t batch_;
  bool ocsf_;
  std::string secret_;
  std::shared_ptr<detail::HttpTarget> target_;
};

}  // namespace

std::unique_ptr<AlertSink> makeWebhookSink(const SinkConfig& config, std::string& error) {
  const std::string prefix = "sink." + config.name + ".";
  if (config.format != "blobwatch" && config.format != "ocsf") {
    error = prefix + "format: expected blobwatch or ocsf, got '" + config.format + "'";
    return nullptr;
  }
  std::string secret;
  if (!loadSecret(config, secret, error)) return nullptr;
  auto target = detail::openHttpTarget(config, config.url, secret, error);
  if (target == nullptr) return nullptr;
  return std::make_unique<WebhookSink>(config, std::move(secret), std::move(target));
}

}  // namespace blobwatch::daemon
