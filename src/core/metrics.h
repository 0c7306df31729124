// Process metrics rendered in the Prometheus text format. Thread-safe.
//
// counter()/gauge()/histogram() find or create a series and return a handle
// whose address is stable for the registry's lifetime; updating a handle is a
// lock-free atomic operation, so hot paths look a series up once and keep the
// handle. add()/set()/observe() are conveniences that look up every time.
#pragma once

#include <array>
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postured::core {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {  // also used for gauges
 public:
  void add(double by = 1) { value_.fetch_add(by, std::memory_order_relaxed); }
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Latency histogram with fixed buckets from 100 µs to 1 s.
class Histogram {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                      0.01,   0.025,   0.05,   0.1,   0.5,    1.0};
  void observe(double seconds);
  // Cumulative counts per bucket, then +Inf; and the sum.
  std::array<std::uint64_t, kBuckets.size() + 1> cumulative() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> counts_{};  // per bucket, not cumulative
  std::atomic<double> sum_{0};
};

class Metrics {
 public:
  // Declares a family's help text and type ("counter", "gauge", "histogram").
  void describe(std::string name, std::string type, std::string help);

  Counter& counter(std::string_view name, const MetricLabels& labels);
  Counter& gauge(std::string_view name, const MetricLabels& labels);
  Histogram& histogram(std::string_view name, const MetricLabels& labels);

  void add(std::string_view name, const MetricLabels& labels, double by = 1) { counter(name, labels).add(by); }
  void set(std::string_view name, const MetricLabels& labels, double value) { gauge(name, labels).set(value); }
  void observe(std::string_view name, const MetricLabels& labels, double seconds) {
    histogram(name, labels).observe(seconds);
  }

  std::string render() const;

 private:
  struct Family {
    std::string type;
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> values;          // rendered labels -> series
    std::map<std::string, std::unique_ptr<Histogram>> histograms;    // rendered labels -> series
  };
  Family& family(std::string_view name, std::string_view defaultType);
  Counter& valueSeries(std::string_view name, std::string_view type, const MetricLabels& labels);
  static std::string renderLabels(const MetricLabels& labels);

  mutable std::mutex mutex_;
  std::map<std::string, Family, std::less<>> families_;
};

}  // namespace postured::core
