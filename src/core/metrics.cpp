#include "core/metrics.h"

#include <array>
#include <cstdio>

namespace postured::core {

namespace {

constexpr std::array<double, 12> kLatencyBuckets = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                    0.01,   0.025,   0.05,   0.1,   0.5,    1.0};

std::string formatNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string escapeLabel(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string Metrics::renderLabels(const MetricLabels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out.push_back(',');
    out += k + "=\"" + escapeLabel(v) + "\"";
  }
  return out;
}

void Metrics::describe(std::string name, std::string type, std::string help) {
  std::lock_guard lock(mutex_);
  auto& f = families_[std::move(name)];
  f.type = std::move(type);
  f.help = std::move(help);
}

void Metrics::add(std::string_view name, const MetricLabels& labels, double by) {
  auto key = renderLabels(labels);
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) it = families_.emplace(std::string(name), Family{"counter", {}, {}, {}}).first;
  it->second.values[key] += by;
}

void Metrics::set(std::string_view name, const MetricLabels& labels, double value) {
  auto key = renderLabels(labels);
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) it = families_.emplace(std::string(name), Family{"gauge", {}, {}, {}}).first;
  it->second.values[key] = value;
}

void Metrics::observe(std::string_view name, const MetricLabels& labels, double seconds) {
  auto key = renderLabels(labels);
  std::lock_guard lock(mutex_);
  auto it = families_.find(name);
  if (it == families_.end()) it = families_.emplace(std::string(name), Family{"histogram", {}, {}, {}}).first;
  auto& h = it->second.histograms[key];
  if (h.buckets.empty()) h.buckets.assign(kLatencyBuckets.size(), 0);
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i)
    if (seconds <= kLatencyBuckets[i]) ++h.buckets[i];
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " + f.type + "\n";
    for (const auto& [labels, v] : f.values)
      out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + formatNumber(v) + "\n";
    for (const auto& [labels, h] : f.histograms) {
      const std::string sep = labels.empty() ? "" : labels + ",";
      for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i)
        out += name + "_bucket{" + sep + "le=\"" + formatNumber(kLatencyBuckets[i]) + "\"} " +
               std::to_string(h.buckets[i]) + "\n";
      out += name + "_bucket{" + sep + "le=\"+Inf\"} " + std::to_string(h.count) + "\n";
      out += name + "_sum" + (labels.empty() ? "" : "{" + labels + "}") + " " + formatNumber(h.sum) + "\n";
      out += name + "_count" + (labels.empty() ? "" : "{" + labels + "}") + " " + std::to_string(h.count) + "\n";
    }
  }
  return out;
}

}  // namespace postured::core
