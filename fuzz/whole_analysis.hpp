// What the whole-analysis fuzz target does with one input, shared with the test
// that replays its corpus (tests/fuzz): the bytes become two traces
// (trace_bytes.hpp) and every command that reads traces runs on them
// in-process — analyze in each format, at an instant and --partial, stats,
// diff, export, dump, info, validate.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "command.hpp"
#include "trace_bytes.hpp"

namespace taskscope::fuzz {

inline int run_command(std::vector<std::string> args) {
  args.insert(args.begin(), "taskscope");
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  return cli::run(static_cast<int>(args.size()), argv.data());
}

// Runs every command on the traces `data` makes, in the directory `dir`;
// returns their exit statuses (empty when the traces could not be written).
// The first byte splits the rest into the base and the new trace of `diff`.
inline std::vector<int> run_whole_analysis(const uint8_t* data, size_t size,
                                           const std::string& dir) {
  if (size < 1) return {};
  const size_t split = 1 + (size - 1) * data[0] / 256;
  const std::string base = dir + "/base.tscope", now = dir + "/new.tscope", out = dir + "/out";
  if (!decode_to_trace(data + 1, size - 1, base) ||
      !decode_to_trace(data + split, size - split, now))
    return {};
  std::vector<int> statuses;
  for (const char* format : {"text", "json", "dot"})
    statuses.push_back(run_command({"analyze", "--format", format, base}));
  statuses.push_back(run_command({"analyze", "--partial", "--stall", "1ms", base}));
  statuses.push_back(run_command({"analyze", "--at", std::to_string(data[0]) + "ms", base}));
  statuses.push_back(run_command({"stats", base}));
  statuses.push_back(run_command({"stats", "--format", "json", base}));
  statuses.push_back(run_command({"diff", base, now}));
  statuses.push_back(run_command({"diff", "--format", "json", "--by", "resource", base, now}));
  statuses.push_back(run_command({"export", "--format", "chrome", "-o", out, base}));
  statuses.push_back(run_command({"dump", base}));
  statuses.push_back(run_command({"info", base}));
  statuses.push_back(run_command({"validate", base}));
  return statuses;
}

}  // namespace taskscope::fuzz
