#include "process/modules.hpp"

#include <link.h>
#include <unistd.h>

#include <algorithm>

#include "hot_path/string_caches.hpp"

namespace taskscope::detail {
namespace {

std::string executable_path() {
  char buffer[4096];
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

int add_module(dl_phdr_info* info, size_t, void* data) {
  auto* modules = static_cast<std::vector<ModuleInfo>*>(data);
  uint64_t end = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const auto& header = info->dlpi_phdr[i];
    if (header.p_type == PT_LOAD) end = std::max<uint64_t>(end, header.p_vaddr + header.p_memsz);
  }
  if (end == 0) return 0;
  ModuleInfo module;
  try {
    module.path = info->dlpi_name != nullptr && info->dlpi_name[0] != '\0'
                      ? std::string(info->dlpi_name)
                      : (modules->empty() ? executable_path() : std::string());
  } catch (...) {
    return 1;
  }
  module.address = info->dlpi_addr;
  module.size = end;
  if (module.path.empty()) return 0;
  try {
    modules->push_back(std::move(module));
  } catch (...) {
    return 1;  // out of memory: stop with what we have
  }
  return 0;
}

}  // namespace

std::vector<ModuleInfo> loaded_modules() {
  // The first entry, with an empty name, is the main program.
  std::vector<ModuleInfo> modules;
  dl_iterate_phdr(add_module, &modules);
  for (ModuleInfo& module : modules) module.path_id = intern_text(module.path);
  return modules;
}

}  // namespace taskscope::detail
