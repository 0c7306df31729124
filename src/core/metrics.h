// Process metrics rendered in the Prometheus text format. Counters, gauges and
// one histogram family type with fixed latency buckets. Thread-safe.
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postured::core {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  // Declares a family once, with its help text and type ("counter", "gauge",
  // "histogram"); samples for undeclared families are still rendered.
  void describe(std::string name, std::string type, std::string help);

  void add(std::string_view name, const MetricLabels& labels, double by = 1);
  void set(std::string_view name, const MetricLabels& labels, double value);
  // Observes a value in seconds into the histogram `name`.
  void observe(std::string_view name, const MetricLabels& labels, double seconds);

  std::string render() const;

 private:
  struct Histogram {
    std::vector<std::uint64_t> buckets;
    std::uint64_t count = 0;
    double sum = 0;
  };
  struct Family {
    std::string type = "untyped";
    std::string help;
    std::map<std::string, double> values;          // rendered labels -> value
    std::map<std::string, Histogram> histograms;   // rendered labels -> histogram
  };

  static std::string renderLabels(const MetricLabels& labels);

  mutable std::mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace postured::core
