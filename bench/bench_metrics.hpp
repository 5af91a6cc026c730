// Collects headline figures during a benchmark run and prints them at the end as
// `metric <name> <value> <unit>` lines, the form every taskscope benchmark ends with.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <utility>

namespace taskscope::bench {

inline std::map<std::string, std::pair<double, std::string>>& metrics() {
  static std::map<std::string, std::pair<double, std::string>> all;
  return all;
}

inline void report_metric(const std::string& name, double value, const std::string& unit) {
  metrics()[name] = {value, unit};
}

// Runs the registered benchmarks, then prints the metric lines.
inline int run_benchmarks(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  for (const auto& [name, value] : metrics())
    std::printf("metric %s %.6g %s\n", name.c_str(), value.first, value.second.c_str());
  return 0;
}

}  // namespace taskscope::bench
