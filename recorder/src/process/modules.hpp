// The process's loaded modules, for offline symbolization of "pc:0x..." call
// sites (kModuleMap events).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace taskscope::detail {

// `address` is the module's load bias, so `pc - address` is the ELF virtual
// address that addr2line and DWARF readers expect; [address, address + size)
// covers every loadable segment of the module.
struct ModuleInfo {
  uint64_t address = 0;
  uint64_t size = 0;
  std::string path;
  uint32_t path_id = 0;  // the path interned in the string table
  // NT_GNU_BUILD_ID of the loaded image in lower-case hex, "" when it has none
  // (kModuleBuildId events; docs/event-model.md).
  std::string build_id;
  uint32_t build_id_id = 0;  // build_id interned, 0 when empty
};

// Lists the modules and interns their paths and build ids.
std::vector<ModuleInfo> loaded_modules();

}  // namespace taskscope::detail
