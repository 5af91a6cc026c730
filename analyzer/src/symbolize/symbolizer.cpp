// Symbolizer: turns the code addresses the preload shim records into what a
// person reads. Three forms of location text are understood:
//  - "pc:0x<hex>": a return address; the call is at pc - 1.
//    -> "bank.c:41 (transfer)"
//  - "pc:0x<a>;pc:0x<b>;...": a short stack captured at a contended wait,
//    innermost first -> "bank.c:41 (transfer) <- bank.c:77 (worker)"
//  - "sym:0x<hex>": the entry of a function (a thread's start routine)
//    -> "worker" (for a std::thread: the callable it runs), or the address of
//    a variable (a mutex in static storage) -> "account_lock", "accounts+0x28"
// Frames in system headers (std::mutex::lock inlined into the program) are
// skipped in favour of the program's own call site. Without debug info the
// result is "libfoo.so+0x1234 (symbol)", and without the module's file (not
// found, another build) "libfoo.so+0x1234"; an address outside every module, or
// any other text, is returned unchanged. Results are cached; describe() is
// thread-safe.
#include "taskscope/analyzer/symbolizer.hpp"

#include <cinttypes>
#include <cstdio>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "dwarf_frames.hpp"
#include "function_names.hpp"

namespace taskscope::analyzer {
namespace {

using symbolize::DwarfFrames;
using symbolize::SourceFrame;

constexpr size_t kMaxShownFrames = 4;

bool parse_hex(std::string_view text, uint64_t& value) {
  if (text.empty() || text.size() > 16) return false;
  value = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9')
      digit = c - '0';
    else if (c >= 'a' && c <= 'f')
      digit = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      digit = c - 'A' + 10;
    else
      return false;
    value = value << 4 | static_cast<uint64_t>(digit);
  }
  return true;
}

// The last two components of a path: enough to find the file, short to read.
std::string short_path(const std::string& path) {
  const size_t last = path.rfind('/');
  if (last == std::string::npos || last == 0) return path;
  const size_t previous = path.rfind('/', last - 1);
  return previous == std::string::npos ? path : path.substr(previous + 1);
}

std::string format_frame(const SourceFrame& frame) {
  std::string text = short_path(frame.file) + ":" + std::to_string(frame.line);
  if (!frame.function.empty()) text += " (" + frame.function + ")";
  return text;
}

std::string hex(uint64_t value) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "0x%" PRIx64, value);
  return buffer;
}

}  // namespace

struct Symbolizer::Impl {
  explicit Impl(std::vector<std::string> debug_dirs) : frames(std::move(debug_dirs)) {}

  std::mutex mutex;  // describe() is const and may be called from several threads
  DwarfFrames frames;
  std::unordered_map<std::string, std::string> cache;

  // Frames of one return address, or a single "module+0x.." line when there is
  // no source information. Empty when no module covers it.
  std::vector<std::string> describe_return_address(uint64_t pc, bool* in_program) {
    std::vector<std::string> out;
    const uint64_t call = pc > 0 ? pc - 1 : pc;
    const std::vector<SourceFrame> source = frames.frames_at(call);
    *in_program = false;
    for (const SourceFrame& frame : source) {
      if (frame.file.empty() || symbolize::is_system_header(frame.file)) continue;
      // Every program frame: inlined callers have no address of their own.
      out.push_back(format_frame(frame));
      *in_program = true;
    }
    if (out.empty() && !source.empty() && !source.front().file.empty()) {
      out.push_back(format_frame(source.front()));  // only library headers: say so
    } else if (out.empty()) {
      if (const auto where = frames.module_offset(call)) {
        std::string text = where->module + "+" + hex(where->offset + 1);
        if (!where->symbol.empty()) text += " (" + where->symbol + ")";
        out.push_back(std::move(text));
      }
    }
    return out;
  }

  std::string describe_stack(std::string_view text) {
    std::vector<std::string> program, other;
    size_t begin = 0;
    while (begin <= text.size()) {
      size_t end = text.find(';', begin);
      if (end == std::string_view::npos) end = text.size();
      std::string_view item = text.substr(begin, end - begin);
      uint64_t pc = 0;
      if (item.substr(0, 5) != "pc:0x" || !parse_hex(item.substr(5), pc)) return std::string(text);
      bool in_program = false;
      for (std::string& line : describe_return_address(pc, &in_program))
        (in_program ? program : other).push_back(std::move(line));
      begin = end + 1;
    }
    std::vector<std::string>& shown = program.empty() ? other : program;
    if (shown.empty()) return std::string(text);
    std::string out;
    for (size_t i = 0; i < shown.size() && i < kMaxShownFrames; ++i) {
      if (i > 0) out += " <- ";
      out += shown[i];
    }
    return out;
  }

  // "sym:0x..": a function (thread start routine) or a variable (a mutex in
  // static storage) -> "worker", "accounts+0x28"; unchanged when unknown.
  std::string describe_symbol(std::string_view text) {
    uint64_t address = 0;
    if (!parse_hex(text.substr(6), address)) return std::string(text);
    uint64_t offset = 0;
    std::string name = frames.symbol_at(address, &offset);
    if (name.empty()) return std::string(text);
    if (offset != 0) return name + "+" + hex(offset);
    return symbolize::thread_callable(name);
  }
};

namespace {
std::vector<std::string>& debug_dirs_setting() {
  static std::vector<std::string> dirs;
  return dirs;
}
}  // namespace

void set_default_debug_dirs(std::vector<std::string> dirs) {
  debug_dirs_setting() = std::move(dirs);
}
const std::vector<std::string>& default_debug_dirs() { return debug_dirs_setting(); }

Symbolizer::Symbolizer(std::vector<std::string> debug_dirs)
    : impl_(std::make_unique<Impl>(std::move(debug_dirs))) {}
Symbolizer::~Symbolizer() = default;

void Symbolizer::add_module(uint64_t load_address, uint64_t size, std::string path) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->frames.add_module(load_address, size, std::move(path));
  impl_->cache.clear();  // a new module can resolve addresses that failed before
}

void Symbolizer::add_build_id(uint64_t load_address, std::string build_id) {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  impl_->frames.set_build_id(load_address, std::move(build_id));
  impl_->cache.clear();
}

std::vector<MissingModule> Symbolizer::missing_modules() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->frames.missing_modules();
}

std::string Symbolizer::describe(std::string_view location) const {
  const bool is_pc = location.substr(0, 5) == "pc:0x";
  const bool is_symbol = location.substr(0, 6) == "sym:0x";
  if (!is_pc && !is_symbol) return std::string(location);
  std::lock_guard<std::mutex> lock(impl_->mutex);
  std::string key(location);
  if (auto it = impl_->cache.find(key); it != impl_->cache.end()) return it->second;
  std::string text = is_pc ? impl_->describe_stack(location) : impl_->describe_symbol(location);
  impl_->cache.emplace(std::move(key), text);
  return text;
}

}  // namespace taskscope::analyzer
