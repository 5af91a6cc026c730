// Reading an exported Chrome trace back, for the export tests.
#pragma once

// property_tree pulls in the deprecated global Bind placeholders; keep them quiet.
#define BOOST_BIND_GLOBAL_PLACEHOLDERS
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <cstdint>
#include <string>
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

}  // namespace taskscope::stats_test
