// DwarfFrames: libdwfl in offline mode. The Dwfl session is (re)built lazily
// from the module list, so modules can be added in any order while reading.
#include "dwarf_frames.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <utility>

#include "function_names.hpp"
#include "module_files.hpp"

namespace taskscope::analyzer::symbolize {
namespace {

struct Module {
  uint64_t bias = 0;
  uint64_t size = 0;
  std::string path;
  std::string build_id;
  bool found = false;  // its file was given to the session
};

// Separate debug information, by build id, under the debug directories and
// the system's (never next to the recorded path, which the trace names).
// The module's userdata is its DwarfFrames::State's debug directory list.
int find_debuginfo(Dwfl_Module* module, void** userdata, const char*, Dwarf_Addr, const char*,
                   const char*, GElf_Word, char** debuginfo_file_name) {
  const unsigned char* bits = nullptr;
  GElf_Addr vaddr = 0;
  const int size = dwfl_module_build_id(module, &bits, &vaddr);
  if (size <= 0 || userdata == nullptr || *userdata == nullptr) return -1;
  std::string build_id;
  static constexpr char kHex[] = "0123456789abcdef";
  for (int i = 0; i < size; ++i) {
    build_id += kHex[bits[i] >> 4];
    build_id += kHex[bits[i] & 0xF];
  }
  const auto& debug_dirs = *static_cast<const std::vector<std::string>*>(*userdata);
  ModuleFile file = locate_debug_info(build_id, debug_dirs);
  if (file.fd >= 0) *debuginfo_file_name = strdup(file.file.c_str());
  return file.fd;
}

// Every module is reported with its descriptor, so libdwfl has no main file to
// find; if it ever asks, it gets none rather than opening a path itself.
int find_no_elf(Dwfl_Module*, void**, const char*, Dwarf_Addr, char**, Elf**) { return -1; }

const Dwfl_Callbacks kOfflineCallbacks = {
    .find_elf = find_no_elf,
    .find_debuginfo = find_debuginfo,
    .section_address = dwfl_offline_section_address,
    .debuginfo_path = nullptr,
};

// A path the module's file can be looked for at: an absolute one. A relative
// name ("linux-vdso.so.1") names no file on any machine.
bool has_file_path(const std::string& path) { return !path.empty() && path[0] == '/'; }

std::string basename_of(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The function a DWARF scope (subprogram or inlined instance) belongs to.
std::string scope_function(Dwarf_Die* scope) {
  Dwarf_Attribute attribute;
  for (int name : {DW_AT_linkage_name, DW_AT_MIPS_linkage_name}) {
    if (dwarf_attr_integrate(scope, name, &attribute) != nullptr) {
      if (const char* text = dwarf_formstring(&attribute)) return display_name(text);
    }
  }
  if (dwarf_attr_integrate(scope, DW_AT_name, &attribute) != nullptr) {
    if (const char* text = dwarf_formstring(&attribute)) return text;
  }
  return {};
}

bool is_function_scope(Dwarf_Die* scope) {
  const int tag = dwarf_tag(scope);
  return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine;
}

}  // namespace

struct DwarfFrames::State {
  std::vector<std::string> debug_dirs;
  std::vector<Module> modules;
  Dwfl* dwfl = nullptr;
  bool stale = true;

  ~State() {
    if (dwfl != nullptr) dwfl_end(dwfl);
  }

  Dwfl* session() {
    if (!stale) return dwfl;
    if (dwfl != nullptr) dwfl_end(dwfl);
    stale = false;
    dwfl = dwfl_begin(&kOfflineCallbacks);
    if (dwfl == nullptr) return nullptr;
    dwfl_report_begin(dwfl);
    for (Module& module : modules) {
      // A module whose file cannot be used (deleted, another machine, another
      // build, not a regular file) is skipped: module_offset() still names it.
      const ModuleFile file = locate_module(
          has_file_path(module.path) ? module.path : std::string(), module.build_id, debug_dirs);
      module.found = false;
      if (file.fd < 0) continue;
      // add_p_vaddr: `bias` is the load bias, segments sit at bias + p_vaddr.
      // On success libdwfl owns the descriptor.
      Dwfl_Module* reported = dwfl_report_elf(dwfl, basename_of(module.path).c_str(),
                                              file.file.c_str(), file.fd, module.bias, true);
      if (reported == nullptr) {
        ::close(file.fd);
        continue;
      }
      module.found = true;
      void** userdata = nullptr;
      dwfl_module_info(reported, &userdata, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
      if (userdata != nullptr) *userdata = &debug_dirs;
    }
    dwfl_report_end(dwfl, nullptr, nullptr);
    return dwfl;
  }

  Dwfl_Module* module_at(uint64_t address) {
    Dwfl* session_handle = session();
    return session_handle != nullptr ? dwfl_addrmodule(session_handle, address) : nullptr;
  }
};

DwarfFrames::DwarfFrames(std::vector<std::string> debug_dirs) : state_(std::make_unique<State>()) {
  state_->debug_dirs = std::move(debug_dirs);
}
DwarfFrames::~DwarfFrames() = default;

void DwarfFrames::add_module(uint64_t bias, uint64_t size, std::string path) {
  if (path.empty() || path[0] == '[') return;  // [vdso] and the like have no file
  for (const Module& module : state_->modules)
    if (module.bias == bias && module.path == path) return;
  state_->modules.push_back({bias, size, std::move(path), {}, false});
  state_->stale = true;
}

void DwarfFrames::set_build_id(uint64_t bias, std::string build_id) {
  for (Module& module : state_->modules) {
    if (module.bias != bias || module.build_id == build_id) continue;
    module.build_id = build_id;
    state_->stale = true;
  }
}

std::vector<MissingModule> DwarfFrames::missing_modules() {
  state_->session();
  std::vector<MissingModule> missing;
  for (const Module& module : state_->modules) {
    if (module.found || !has_file_path(module.path)) continue;
    bool listed = false;
    for (const MissingModule& other : missing)
      listed |= other.path == module.path && other.build_id == module.build_id;
    if (!listed) missing.push_back({module.path, module.build_id});
  }
  return missing;
}

std::vector<SourceFrame> DwarfFrames::frames_at(uint64_t address) {
  std::vector<SourceFrame> frames;
  Dwfl_Module* module = state_->module_at(address);
  if (module == nullptr) return frames;

  SourceFrame innermost;
  if (Dwfl_Line* line = dwfl_module_getsrc(module, address)) {
    int line_number = 0;
    if (const char* file = dwfl_lineinfo(line, nullptr, &line_number, nullptr, nullptr, nullptr)) {
      innermost.file = file;
      innermost.line = line_number;
    }
  }
  Dwarf_Addr bias = 0;
  Dwarf_Die* cu = dwfl_module_addrdie(module, address, &bias);
  Dwarf_Die* scopes = nullptr;
  int count = cu != nullptr ? dwarf_getscopes(cu, address - bias, &scopes) : 0;
  if (count > 0) {
    // dwarf_getscopes stops at the innermost inlined instance; the DIE's own
    // parent chain holds the functions it was inlined into (as addr2line -i).
    Dwarf_Die innermost_die;
    Dwarf_Addr dwarf_bias = 0;
    Dwarf* dwarf = dwfl_module_getdwarf(module, &dwarf_bias);
    const bool found =
        dwarf != nullptr && dwarf_offdie(dwarf, dwarf_dieoffset(&scopes[0]), &innermost_die);
    std::free(scopes);
    scopes = nullptr;
    count = found ? dwarf_getscopes_die(&innermost_die, &scopes) : 0;
  }
  Dwarf_Files* files = nullptr;
  if (cu != nullptr && dwarf_getsrcfiles(cu, &files, nullptr) != 0) files = nullptr;

  // scopes[0] is innermost. Each inlined instance contributes its function to
  // the current frame and, through DW_AT_call_file/line, the location of the
  // next (calling) frame.
  SourceFrame current = innermost;
  for (int i = 0; i < count; ++i) {
    Dwarf_Die* scope = &scopes[i];
    if (!is_function_scope(scope)) continue;
    current.function = scope_function(scope);
    if (dwarf_tag(scope) != DW_TAG_inlined_subroutine) {
      // The out-of-line function: its ELF symbol is the fully qualified name
      // (a lambda's DWARF name is just "operator()").
      if (const char* symbol = dwfl_module_addrname(module, address))
        current.function = display_name(symbol);
      frames.push_back(current);
      break;
    }
    frames.push_back(current);
    current = SourceFrame{};
    Dwarf_Attribute attribute;
    Dwarf_Word value = 0;
    if (files != nullptr &&
        dwarf_formudata(dwarf_attr(scope, DW_AT_call_file, &attribute), &value) == 0) {
      if (const char* file = dwarf_filesrc(files, value, nullptr, nullptr)) current.file = file;
    }
    if (dwarf_formudata(dwarf_attr(scope, DW_AT_call_line, &attribute), &value) == 0)
      current.line = static_cast<int>(value);
  }
  std::free(scopes);
  // A lambda inlined into std::thread's _M_run is DWARF-named "operator()";
  // the _M_run symbol names it ("main::{lambda()#1}").
  if (!frames.empty()) {
    const std::string callable = thread_callable(frames.back().function);
    if (callable != frames.back().function && callable != "std::thread")
      for (SourceFrame& frame : frames)
        if (frame.function == "operator()") frame.function = callable;
  }
  if (frames.empty() && !innermost.file.empty()) {
    const char* symbol = dwfl_module_addrname(module, address);
    innermost.function = symbol != nullptr ? display_name(symbol) : std::string();
    frames.push_back(innermost);
  }
  return frames;
}

std::string DwarfFrames::symbol_at(uint64_t address, uint64_t* offset) {
  *offset = 0;
  Dwfl_Module* module = state_->module_at(address);
  if (module == nullptr) return {};
  GElf_Off symbol_offset = 0;
  GElf_Sym symbol;
  if (const char* name = dwfl_module_addrinfo(module, address, &symbol_offset, &symbol, nullptr,
                                              nullptr, nullptr)) {
    *offset = symbol_offset;
    return display_name(name);
  }
  // No ELF symbol (stripped): the DWARF subprogram around it, for code.
  for (const SourceFrame& frame : frames_at(address))
    if (!frame.function.empty()) return frame.function;
  return {};
}

std::optional<ModuleOffset> DwarfFrames::module_offset(uint64_t address) {
  Dwfl_Module* module = state_->module_at(address);
  if (module == nullptr) {
    // No file: the recorded extent still names the module, and the offset
    // from its bias is the ELF virtual address in any copy of that build.
    for (const Module& recorded : state_->modules)
      if (!recorded.found && address >= recorded.bias && address - recorded.bias < recorded.size)
        return ModuleOffset{basename_of(recorded.path), address - recorded.bias, {}};
    return std::nullopt;
  }
  Dwarf_Addr start = 0;
  const char* name =
      dwfl_module_info(module, nullptr, &start, nullptr, nullptr, nullptr, nullptr, nullptr);
  ModuleOffset result;
  result.module = name != nullptr ? name : "?";
  // Report the ELF virtual address (what objdump/addr2line take), i.e. minus the bias.
  Dwarf_Addr bias = 0;
  if (dwfl_module_getelf(module, &bias) != nullptr)
    result.offset = address - bias;
  else
    result.offset = address - start;
  if (const char* symbol = dwfl_module_addrname(module, address))
    result.symbol = display_name(symbol);
  return result;
}

}  // namespace taskscope::analyzer::symbolize
