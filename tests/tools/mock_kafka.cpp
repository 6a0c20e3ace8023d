// blobwatch-mock-kafka: starts librdkafka's mock Kafka cluster on 127.0.0.1, prints its
// bootstrap address on the first line of stdout, and runs until SIGTERM or SIGINT.
//
//   blobwatch-mock-kafka [--brokers N] [--topic NAME:PARTITIONS]...
//
// Integration tests and benchmarks point blobwatch and kcat (an independent client) at it. The
// mock cluster keeps about 5 MiB or 100,000 message sets per partition and silently drops older
// data: spread large streams over several partitions, or consume while producing.

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

volatile sig_atomic_t gStop = 0;
void onSignal(int) { gStop = 1; }

int usage() {
  std::fprintf(stderr, "usage: blobwatch-mock-kafka [--brokers N] [--topic NAME:PARTITIONS]...\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int brokers = 1;
  std::vector<std::pair<std::string, int>> topics;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--brokers" && i + 1 < argc) {
      brokers = std::atoi(argv[++i]);
    } else if (arg == "--topic" && i + 1 < argc) {
      const std::string spec = argv[++i];
      const size_t colon = spec.find(':');
      if (colon == std::string::npos) return usage();
      topics.emplace_back(spec.substr(0, colon), std::atoi(spec.c_str() + colon + 1));
    } else {
      return usage();
    }
  }
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The host client has no bootstrap servers of its own; keep its warning about that quiet.
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) {
    std::fprintf(stderr, "blobwatch-mock-kafka: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (cluster == nullptr) {
    std::fprintf(stderr, "blobwatch-mock-kafka: cannot create the mock cluster\n");
    rd_kafka_destroy(rk);
    return 1;
  }
  for (const auto& [name, partitions] : topics) {
    const rd_kafka_resp_err_t err =
        rd_kafka_mock_topic_create(cluster, name.c_str(), partitions, 1);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      std::fprintf(stderr, "blobwatch-mock-kafka: topic %s: %s\n", name.c_str(),
                   rd_kafka_err2str(err));
      return 1;
    }
  }
  std::printf("%s\n", rd_kafka_mock_cluster_bootstraps(cluster));
  std::fflush(stdout);
  struct sigaction sa {};
  sa.sa_handler = onSignal;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  while (!gStop) ::pause();
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
