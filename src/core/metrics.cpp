#include "core/metrics.h"

#include <cstdio>

namespace postured::core {

namespace {

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

void Histogram::observe(double seconds) {
  std::size_t i = 0;
  while (i < kBuckets.size() && seconds > kBuckets[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(seconds, std::memory_order_relaxed);
}

std::array<std::uint64_t, Histogram::kBuckets.size() + 1> Histogram::cumulative() const {
  std::array<std::uint64_t, kBuckets.size() + 1> out{};
  std::uint64_t running = 0;
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = running += counts_[i].load(std::memory_order_relaxed);
  return out;
}

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

Metrics::Family& Metrics::family(std::string_view name, std::string_view defaultType) {
  auto it = families_.find(name);
  if (it == families_.end()) it = families_.emplace(std::string(name), Family{std::string(defaultType), {}, {}, {}}).first;
  return it->second;
}

Counter& Metrics::valueSeries(std::string_view name, std::string_view type, const MetricLabels& labels) {
  auto key = renderLabels(labels);
  std::lock_guard lock(mutex_);
  auto& slot = family(name, type).values[std::move(key)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Counter& Metrics::counter(std::string_view name, const MetricLabels& labels) {
  return valueSeries(name, "counter", labels);
}

Counter& Metrics::gauge(std::string_view name, const MetricLabels& labels) { return valueSeries(name, "gauge", labels); }

Histogram& Metrics::histogram(std::string_view name, const MetricLabels& labels) {
  auto key = renderLabels(labels);
  std::lock_guard lock(mutex_);
  auto& slot = family(name, "histogram").histograms[std::move(key)];
  if (!slot) slot = std::make_unique<Histogram>();
  return *slot;
}

std::string Metrics::render() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " + f.type + "\n";
    for (const auto& [labels, v] : f.values)
      out += name + (labels.empty() ? "" : "{" + labels + "}") + " " + formatNumber(v->value()) + "\n";
    for (const auto& [labels, h] : f.histograms) {
      const std::string sep = labels.empty() ? "" : labels + ",";
      const auto counts = h->cumulative();
      for (std::size_t i = 0; i < Histogram::kBuckets.size(); ++i)
        out += name + "_bucket{" + sep + "le=\"" + formatNumber(Histogram::kBuckets[i]) + "\"} " +
               std::to_string(counts[i]) + "\n";
      out += name + "_bucket{" + sep + "le=\"+Inf\"} " + std::to_string(counts.back()) + "\n";
      const std::string braces = labels.empty() ? "" : "{" + labels + "}";
      out += name + "_sum" + braces + " " + formatNumber(h->sum()) + "\n";
      out += name + "_count" + braces + " " + std::to_string(counts.back()) + "\n";
    }
  }
  return out;
}

}  // namespace postured::core
