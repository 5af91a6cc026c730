#include "process/modules.hpp"

#include <link.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "hot_path/string_caches.hpp"

namespace taskscope::detail {
namespace {

std::string executable_path() {
  char buffer[4096];
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  return n > 0 ? std::string(buffer, static_cast<size_t>(n)) : std::string();
}

// The GNU build id in the notes of a loaded image, read from memory (the
// PT_NOTE segments lie inside loaded segments), never from the file.
std::string build_id_of(const dl_phdr_info* info) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& header = info->dlpi_phdr[i];
    if (header.p_type != PT_NOTE) continue;
    const auto* at = reinterpret_cast<const unsigned char*>(info->dlpi_addr + header.p_vaddr);
    const unsigned char* end = at + header.p_memsz;
    const size_t align = header.p_align == 8 ? 8 : 4;
    auto padded = [align](size_t n) { return (n + align - 1) & ~(align - 1); };
    while (static_cast<size_t>(end - at) >= sizeof(ElfW(Nhdr))) {
      ElfW(Nhdr) note;
      std::memcpy(&note, at, sizeof note);
      const unsigned char* name = at + sizeof note;
      const unsigned char* desc = name + padded(note.n_namesz);
      if (desc > end || note.n_descsz > static_cast<size_t>(end - desc)) break;
      if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 &&
          std::memcmp(name, "GNU", 4) == 0 && note.n_descsz > 0) {
        std::string hex;
        for (uint32_t j = 0; j < note.n_descsz; ++j) {
          hex += kHex[desc[j] >> 4];
          hex += kHex[desc[j] & 0xF];
        }
        return hex;
      }
      at = desc + padded(note.n_descsz);
      if (at > end) break;
    }
  }
  return {};
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
    module.build_id = build_id_of(info);
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
  for (ModuleInfo& module : modules) {
    module.path_id = intern_text(module.path);
    if (!module.build_id.empty()) module.build_id_id = intern_text(module.build_id);
  }
  return modules;
}

}  // namespace taskscope::detail
