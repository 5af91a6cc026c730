// Offline symbolization of "pc:0x..." source locations recorded by the preload
// shim, using the module map (kModuleMap and kModuleBuildId events) of the
// recorded process. Module files are opened only when they are regular files
// and, when the trace records a build id, of that build; a module not at its
// recorded path is looked for in debug directories laid out as Debian's debug
// packages are (DIR/.build-id/xx/yyyy.debug). docs/trace-format.md, "Module files".
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace taskscope::analyzer {

// The debug directories a Symbolizer looks in when given none: the
// commands' --debug-dir, set once before any trace is read.
void set_default_debug_dirs(std::vector<std::string> dirs);
const std::vector<std::string>& default_debug_dirs();

// A module whose file was not found (or was another build): it is named
// "module+0x..." in reports.
struct MissingModule {
  std::string path;
  std::string build_id;  // "" when the trace does not record it (format < 1.4)
};

class Symbolizer {
 public:
  explicit Symbolizer(std::vector<std::string> debug_dirs = default_debug_dirs());
  ~Symbolizer();
  Symbolizer(const Symbolizer&) = delete;
  Symbolizer& operator=(const Symbolizer&) = delete;

  // Adds a module of the recorded process (from a kModuleMap event).
  void add_module(uint64_t load_address, uint64_t size, std::string path);
  // The build id of the module added at `load_address` (a kModuleBuildId event).
  void add_build_id(uint64_t load_address, std::string build_id);
  // The modules whose files could not be used, in module map order.
  std::vector<MissingModule> missing_modules() const;
  // Turns a location string into what a person reads: "pc:0x..." becomes
  // "bank.c:41 (transfer)" when debug info allows, "libfoo.so+0x1234" otherwise;
  // any other text is returned unchanged. Results are cached.
  std::string describe(std::string_view location) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace taskscope::analyzer
