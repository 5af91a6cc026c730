// Reading an exported Chrome trace back, for the export tests.
#pragma once

// property_tree pulls in the deprecated global Bind placeholders; keep them quiet.
#define BOOST_BIND_GLOBAL_PLACEHOLDERS
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace taskscope::stats_test {

namespace pt = boost::property_tree;

struct TraceEvent {
  std::string ph, name, cat, id, bp;
  int pid = 0;
  uint64_t tid = 0;
  double ts = 0;
  pt::ptree args;
};

inline std::vector<TraceEvent> load_chrome_trace(const std::string& path) {
  pt::ptree root;
  pt::read_json(path, root);  // throws on malformed JSON
  std::vector<TraceEvent> events;
  for (const auto& [key, node] : root.get_child("traceEvents")) {
    TraceEvent e;
    e.ph = node.get<std::string>("ph");
    e.name = node.get<std::string>("name", "");
    e.cat = node.get<std::string>("cat", "");
    e.id = node.get<std::string>("id", "");
    e.bp = node.get<std::string>("bp", "");
    // Numbers are read as text: property_tree's numeric translators trip GCC's
    // maybe-uninitialized warning in optimised sanitizer builds.
    e.pid = std::stoi(node.get<std::string>("pid"));
    e.tid = std::stoull(node.get<std::string>("tid", "0"));
    e.ts = std::stod(node.get<std::string>("ts", "0"));
    if (auto args = node.get_child_optional("args")) e.args = *args;
    events.push_back(std::move(e));
  }
  return events;
}

// A B/E pair as one slice; ts and dur in microseconds, as in the file.
struct Slice {
  int pid = 0;
  uint64_t tid = 0;
  std::string name, cat;
  double ts = 0, dur = 0;
};

// Pairs each track's B and E events (an E ends the innermost open B of its
// track, as trace viewers read them); slices in the order of their B. Throws
// when an E has no B open or a B is never ended.
inline std::vector<Slice> paired_slices(const std::vector<TraceEvent>& events) {
  std::vector<Slice> slices;
  std::map<std::pair<int, uint64_t>, std::vector<size_t>> open;
  for (const TraceEvent& e : events) {
    if (e.ph == "B") {
      open[{e.pid, e.tid}].push_back(slices.size());
      slices.push_back({e.pid, e.tid, e.name, e.cat, e.ts, 0});
    } else if (e.ph == "E") {
      auto& stack = open[{e.pid, e.tid}];
      if (stack.empty()) throw std::runtime_error("an E with no B open");
      Slice& slice = slices[stack.back()];
      slice.dur = e.ts - slice.ts;
      stack.pop_back();
    }
  }
  for (const auto& [track, stack] : open)
    if (!stack.empty()) throw std::runtime_error("a B never ended");
  return slices;
}

}  // namespace taskscope::stats_test
