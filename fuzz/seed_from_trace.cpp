// Converts traces to the byte form of the whole-analysis fuzz target
// (trace_bytes.hpp), so that its corpus starts from real traces:
//   seed_from_trace OUT_DIR TRACE...
// Writes OUT_DIR/<trace file name>.bin for each; exit status 2 on a bad trace.
#include <cstdio>
#include <fstream>
#include <string>

#include "trace_bytes.hpp"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: seed_from_trace OUT_DIR TRACE...\n");
    return 2;
  }
  for (int i = 2; i < argc; ++i) {
    const std::string trace = argv[i];
    try {
      const std::vector<uint8_t> bytes = taskscope::fuzz::encode_trace(trace);
      const std::string name = trace.substr(trace.rfind('/') + 1);
      std::ofstream out(std::string(argv[1]) + "/" + name + ".bin", std::ios::binary);
      // The first byte splits the input for diff: the whole trace is the base.
      out.put(static_cast<char>(255));
      out.write(reinterpret_cast<const char*>(bytes.data()),
                static_cast<std::streamsize>(bytes.size()));
      if (!out) throw std::runtime_error("cannot write into " + std::string(argv[1]));
    } catch (const std::exception& e) {
      std::fprintf(stderr, "seed_from_trace: %s\n", e.what());
      return 2;
    }
  }
  return 0;
}
