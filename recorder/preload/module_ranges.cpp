#include "module_ranges.hpp"

#include <link.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <string_view>

#include "shim.hpp"

namespace taskscope::preload {

CodeRanges g_taskscope_code;

namespace {

struct Range {
  uintptr_t begin = 0;
  uintptr_t end = 0;
};

constexpr int kMaxRanges = 64;

// Written once by classify_modules() before any reader can see the count.
struct RangeSet {
  Range ranges[kMaxRanges];
  std::atomic<int> count{0};

  bool contains(uintptr_t address) const {
    const int n = count.load(std::memory_order_acquire);
    for (int i = 0; i < n; ++i)
      if (address >= ranges[i].begin && address < ranges[i].end) return true;
    return false;
  }
};

RangeSet g_noise;
RangeSet g_static;
RangeSet g_libstdcxx;

std::string_view base_name(const char* path) {
  const std::string_view text = path != nullptr ? path : "";
  const size_t slash = text.rfind('/');
  return slash == std::string_view::npos ? text : text.substr(slash + 1);
}

bool is_noise_module(const char* path) {
  const std::string_view base = base_name(path);
  for (std::string_view prefix :
       {"libc.so", "libc-", "libstdc++", "libgcc_s", "ld-linux", "libpthread", "libtaskscope"}) {
    if (base.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

struct Counts {
  int noise = 0;
  int writable = 0;
  int libstdcxx = 0;
  int taskscope = 0;
};

int classify(dl_phdr_info* info, size_t, void* data) {
  Counts& counts = *static_cast<Counts*>(data);
  const bool noise = is_noise_module(info->dlpi_name);
  uintptr_t low = UINTPTR_MAX, high = 0;
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    const ElfW(Phdr)& ph = info->dlpi_phdr[i];
    if (ph.p_type != PT_LOAD) continue;
    const uintptr_t begin = info->dlpi_addr + ph.p_vaddr;
    const uintptr_t end = begin + ph.p_memsz;
    low = std::min(low, begin);
    high = std::max(high, end);
    if ((ph.p_flags & PF_W) && !noise && counts.writable < kMaxRanges)
      g_static.ranges[counts.writable++] = {begin, end};
  }
  if (noise && low < high && counts.noise < kMaxRanges)
    g_noise.ranges[counts.noise++] = {low, high};
  if (low < high && base_name(info->dlpi_name).substr(0, 12) == "libtaskscope" &&
      counts.taskscope < CodeRanges::kMax) {
    g_taskscope_code.begin[counts.taskscope] = low;
    g_taskscope_code.end[counts.taskscope++] = high;
  }
  if (noise && low < high && counts.libstdcxx < kMaxRanges &&
      std::string_view(info->dlpi_name).find("/libstdc++") != std::string_view::npos)
    g_libstdcxx.ranges[counts.libstdcxx++] = {low, high};
  return 0;
}

}  // namespace

void classify_modules() noexcept {
  Counts counts;
  dl_iterate_phdr(classify, &counts);
  g_noise.count.store(counts.noise, std::memory_order_release);
  g_static.count.store(counts.writable, std::memory_order_release);
  g_libstdcxx.count.store(counts.libstdcxx, std::memory_order_release);
  g_taskscope_code.count.store(counts.taskscope, std::memory_order_release);
}

bool in_libstdcxx(const void* pc) noexcept {
  return g_libstdcxx.contains(reinterpret_cast<uintptr_t>(pc));
}

bool is_noise(const void* pc) noexcept { return g_noise.contains(reinterpret_cast<uintptr_t>(pc)); }

bool in_static_storage(const void* address) noexcept {
  return g_static.contains(reinterpret_cast<uintptr_t>(address));
}

}  // namespace taskscope::preload
