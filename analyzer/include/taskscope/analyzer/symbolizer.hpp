// Offline symbolization of "pc:0x..." source locations recorded by the preload
// shim, using the module map (kModuleMap events) of the recorded process.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace taskscope::analyzer {

class Symbolizer {
 public:
  Symbolizer();
  ~Symbolizer();
  Symbolizer(const Symbolizer&) = delete;
  Symbolizer& operator=(const Symbolizer&) = delete;

  // Adds a module of the recorded process (from a kModuleMap event).
  void add_module(uint64_t load_address, uint64_t size, std::string path);
  // Turns a location string into what a person reads: "pc:0x..." becomes
  // "bank.c:41 (transfer)" when debug info allows, "libfoo.so+0x1234" otherwise;
  // any other text is returned unchanged. Results are cached.
  std::string describe(std::string_view location) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace taskscope::analyzer
