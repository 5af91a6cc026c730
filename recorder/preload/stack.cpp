// Call sites for the shim: site() for fast paths, a short denoised stack for
// slow paths (see both in shim.hpp).
//
// Why denoise: a std::condition_variable wait enters pthread_cond_wait from
// libstdc++, and every interposed call passes through the shim, so the raw
// return address often names library code. The person reading the report wants
// the program's frames. Which frames are noise is decided by address range
// (module_ranges.hpp), so the slow path does no dladdr (which takes the loader
// lock) and no allocation beyond interning the resulting string.
//
// Fast-path sites walk frame pointers instead, through the recorder's
// intern_call_chain (recorder/src/hot_path/stack_walk.hpp), the same walk that
// the linked primitives use for a contended taskscope::mutex.
#include <execinfo.h>

#include <cinttypes>
#include <cstdio>
#include <string_view>

#include "module_ranges.hpp"
#include "shim.hpp"

namespace taskscope::preload {

// The walk starts at intern_call_chain's own frame and climbs the shim's
// frames (all keeping a frame pointer, see CMakeLists.txt) up to the
// interposer's, whose return address is `return_address`. No frame is passed
// from here: the compiler may make this a tail call, and this function's frame
// would then be gone by the time the walk runs.
namespace {

// Per-thread cache of the sites that are a return address alone (the function
// it returns into keeps no frame pointer: optimised code), the common case:
// one compare here instead of a call into the recorder and its walk.
struct PlainSite {
  const void* pc = nullptr;
  StringId id = 0;
};
constexpr size_t kPlainSites = 64;
constinit thread_local PlainSite t_plain[kPlainSites] __attribute__((tls_model("initial-exec")));

size_t plain_slot(const void* pc) noexcept {
  return static_cast<size_t>((reinterpret_cast<uintptr_t>(pc) * 0x9E3779B97F4A7C15ull) >> 58);
}
static_assert(kPlainSites == size_t{1} << (64 - 58));

// site() past its cache; the walk climbs this frame too (it keeps one).
__attribute__((noinline)) StringId walk_site(const void* return_address) noexcept {
  bool alone = false;
  const StringId id = intern_call_chain(return_address, nullptr, &alone);
  if (alone && id != 0) t_plain[plain_slot(return_address)] = {return_address, id};
  return id;
}

}  // namespace

StringId site(const void* return_address) noexcept {
  const PlainSite& slot = t_plain[plain_slot(return_address)];
  if (slot.pc == return_address && slot.id != 0) [[likely]]
    return slot.id;
  return walk_site(return_address);
}

StringId stack_site(const void* return_address) noexcept {
  // Raw frames include the shim's own (this function, the interposer) and the
  // libraries between the program and the interposed call.
  constexpr int kRawFrames = kMaxStackFrames + 6;
  void* frames[kRawFrames];
  const int captured = backtrace(frames, kRawFrames);
  char text[kMaxStackFrames * 24];
  size_t length = 0;
  int kept = 0;
  for (int i = 0; i < captured && kept < kMaxStackFrames; ++i) {
    if (is_noise(frames[i])) continue;
    const int written = std::snprintf(text + length, sizeof text - length, "%spc:0x%" PRIxPTR,
                                      kept == 0 ? "" : ";", reinterpret_cast<uintptr_t>(frames[i]));
    if (written <= 0 || static_cast<size_t>(written) >= sizeof text - length) break;
    length += static_cast<size_t>(written);
    ++kept;
  }
  if (kept == 0) return intern_pc(return_address);
  return intern(std::string_view(text, length));
}

void prepare_stack_capture() noexcept {
  // The first backtrace() loads libgcc_s (dlopen); do it now, single-threaded.
  void* frames[2];
  backtrace(frames, 2);
}

}  // namespace taskscope::preload
