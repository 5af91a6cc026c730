// Code addresses of a recorded process -> source frames, with elfutils' libdwfl
// working offline on the module files named in the trace's module map.
//
// One address may stand for several frames when the compiler inlined calls
// (std::mutex::lock inlined into transfer(): the address lies in gthr-posix.h,
// inside std_mutex.h, inside bank.cpp). frames_at() returns them innermost
// first, each with the function that contains the line; callers pick the first
// frame that is the program's own code.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "taskscope/analyzer/symbolizer.hpp"

namespace taskscope::analyzer::symbolize {

struct SourceFrame {
  std::string file;  // as recorded in DWARF (absolute or relative), "" if unknown
  int line = 0;
  std::string function;  // display name ("ns::Account::transfer"), "" if unknown
};

// Where an address lies when no source line is known.
struct ModuleOffset {
  std::string module;   // basename of the module file
  uint64_t offset = 0;  // ELF virtual address inside the module
  std::string symbol;   // display name of the ELF symbol, "" if none
};

// Invariant: every file is opened through locate_module()/locate_debug_info()
// (module_files.hpp) and handed to libdwfl as a descriptor; libdwfl never
// opens a path itself.
class DwarfFrames {
 public:
  // `debug_dirs`: .build-id trees to look in for modules that are not at their
  // recorded path or are another build there.
  explicit DwarfFrames(std::vector<std::string> debug_dirs = {});
  ~DwarfFrames();
  DwarfFrames(const DwarfFrames&) = delete;
  DwarfFrames& operator=(const DwarfFrames&) = delete;

  // `bias`: the module's load bias (kModuleMap.a), `size`: the extent of its
  // segments from the bias (kModuleMap.b).
  void add_module(uint64_t bias, uint64_t size, std::string path);
  // The build id of the module added with `bias` (a kModuleBuildId event).
  void set_build_id(uint64_t bias, std::string build_id);
  // Modules with a file on the recorded machine that was not found here.
  std::vector<MissingModule> missing_modules();
  // Source frames at `address` (an instruction address: callers subtract 1
  // from return addresses), innermost first; empty without debug info.
  std::vector<SourceFrame> frames_at(uint64_t address);
  // The ELF symbol (function or variable) containing `address`, as a display
  // name, and how far into it `address` lies; "" if none.
  std::string symbol_at(uint64_t address, uint64_t* offset);
  // Module and offset of `address`; nullopt when no module covers it. A module
  // whose file was not found still gives its name and offset.
  std::optional<ModuleOffset> module_offset(uint64_t address);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace taskscope::analyzer::symbolize
