// A Kafka cluster for the tests, without a Kafka server: librdkafka's
// built-in mock cluster (rdkafka_mock.h).
//
//   mock_cluster serve TOPICS PARTITIONS BROKERS
//     starts a mock cluster of BROKERS brokers with each topic of TOPICS
//     (comma-separated) of PARTITIONS partitions, prints its bootstrap servers on a line of its own and
//     serves until its standard input ends.
//   mock_cluster committed BOOTSTRAP GROUP TOPIC PARTITIONS
//     prints the offset GROUP committed for each partition of TOPIC, one
//     "PARTITION OFFSET" line each (-1001: none).
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace {

int Fail(const std::string& what) {
  std::fprintf(stderr, "mock_cluster: %s\n", what.c_str());
  return 1;
}

void Quiet(const rd_kafka_t*, int, const char*, const char*) {}

rd_kafka_t* Handle(rd_kafka_type_t type, rd_kafka_conf_t* conf) {
  char err[512];
  rd_kafka_conf_set_log_cb(conf, Quiet);
  rd_kafka_t* rk = rd_kafka_new(type, conf, err, sizeof err);
  if (!rk) std::fprintf(stderr, "mock_cluster: %s\n", err);
  return rk;
}

int Serve(const std::string& topics, int partitions, int brokers, bool refuse) {
  rd_kafka_t* rk = Handle(RD_KAFKA_PRODUCER, rd_kafka_conf_new());
  if (!rk) return 1;
  rd_kafka_mock_cluster_t* mc = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mc) return Fail("cannot start a mock cluster");
  for (size_t at = 0; at <= topics.size();) {
    size_t end = topics.find(',', at);
    if (end == std::string::npos) end = topics.size();
    std::string topic = topics.substr(at, end - at);
    if (rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc, topic.c_str(), partitions, 1))
      return Fail("cannot create topic " + topic + ": " + rd_kafka_err2str(e));
    at = end + 1;
  }
  if (refuse) {
    std::vector<rd_kafka_resp_err_t> errors(100'000, RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED);
    rd_kafka_mock_push_request_errors_array(mc, 0 /* Produce */, errors.size(), errors.data());
  }
  std::printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
  std::fflush(stdout);
  char buf[256];
  while (read(0, buf, sizeof buf) > 0) {
  }
  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}

int Committed(const char* bootstrap, const char* group, const char* topic, int partitions) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  if (rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap, err, sizeof err) != RD_KAFKA_CONF_OK ||
      rd_kafka_conf_set(conf, "group.id", group, err, sizeof err) != RD_KAFKA_CONF_OK)
    return Fail(err);
  rd_kafka_t* rk = Handle(RD_KAFKA_CONSUMER, conf);
  if (!rk) return 1;
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list, topic, p);
  if (rd_kafka_resp_err_t e = rd_kafka_committed(rk, list, 10'000))
    return Fail(std::string("cannot read the committed offsets: ") + rd_kafka_err2str(e));
  for (int i = 0; i < list->cnt; ++i)
    std::printf("%d %lld\n", list->elems[i].partition, static_cast<long long>(list->elems[i].offset));
  rd_kafka_topic_partition_list_destroy(list);
  rd_kafka_destroy(rk);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "serve" && (argc == 5 || (argc == 6 && std::string(argv[5]) == "refuse")))
    return Serve(argv[2], std::atoi(argv[3]), std::atoi(argv[4]), argc == 6);
  if (mode == "committed" && argc == 6) return Committed(argv[2], argv[3], argv[4], std::atoi(argv[5]));
  return Fail(
      "usage: mock_cluster serve TOPICS PARTITIONS BROKERS [refuse] | committed BOOTSTRAP GROUP TOPIC PARTITIONS");
}
