#include "hot_path/stack_walk.hpp"

#include <dlfcn.h>
#include <link.h>
#include <unwind.h>

#include <atomic>
#include <cinttypes>
#include <cstdio>
#include <string_view>

#include "hot_path/reentry.hpp"
#include "hot_path/string_caches.hpp"
#include "hot_path/thread_context.hpp"
#include "taskscope/events.hpp"

namespace taskscope::detail {
namespace {

// Return address -> ReturnInto, direct-mapped: an entry is the address shifted
// left by two with the class in the low bits (0: empty), so one atomic word
// holds both and a reader never sees an address with another one's class. A
// collision only costs a new classification. User-space addresses fit in 62
// bits; one that does not is classified each time.
constexpr size_t kClassSlots = 4096;
constinit std::atomic<uint64_t> g_classes[kClassSlots] = {};

size_t class_slot(uintptr_t pc) noexcept {
  return static_cast<size_t>((pc * 0x9E3779B97F4A7C15ull) >> 52);
}
static_assert(kClassSlots == size_t{1} << (64 - 52));

// Modules whose frames a person does not want to see in a stack: the C and
// C++ runtimes, the unwinder, the dynamic loader, sanitizer runtimes and
// taskscope itself.
bool is_noise_module(const char* path) noexcept {
  const std::string_view text = path != nullptr ? path : "";
  const size_t slash = text.rfind('/');
  const std::string_view base = slash == std::string_view::npos ? text : text.substr(slash + 1);
  for (std::string_view prefix : {"libc.so", "libc-", "libstdc++", "libgcc_s", "ld-linux",
                                  "libpthread", "libasan", "libtsan", "libubsan", "libtaskscope"}) {
    if (base.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

// _dl_find_object takes no lock (it is what the unwinder itself uses), unlike
// dladdr or dl_iterate_phdr, which take the loader lock: another thread may
// hold it while it waits for the lock being recorded.
bool in_noise_module(const void* pc) noexcept {
#if defined(__GLIBC__) && __GLIBC_PREREQ(2, 35)
  dl_find_object found;
  if (_dl_find_object(const_cast<void*>(pc), &found) != 0 || found.dlfo_link_map == nullptr)
    return false;
  return is_noise_module(found.dlfo_link_map->l_name);
#else
  (void)pc;
  return false;
#endif
}

ReturnInto classify_uncached(const void* pc) noexcept {
  if (in_noise_module(pc)) return ReturnInto::kNoise;
#if defined(__x86_64__)
  // The x86-64 frame-pointer prologue, after an optional endbr64:
  // push %rbp; mov %rsp,%rbp. A function that starts with it has %rbp as its
  // frame at every call it makes: the caller's %rbp, and above it the return
  // address into the caller. The lookup is libgcc's FDE search, which may take
  // the unwinder's own lock: marked as the recorder's, so that the preload
  // shim does not record it.
  ReentryGuard guard;
  const auto* code =
      static_cast<const unsigned char*>(_Unwind_FindEnclosingFunction(const_cast<void*>(pc)));
  if (code == nullptr) return ReturnInto::kNoFramePointer;
  if (code[0] == 0xf3 && code[1] == 0x0f && code[2] == 0x1e && code[3] == 0xfa) code += 4;
  const bool frame_pointer =
      code[0] == 0x55 && code[1] == 0x48 && code[2] == 0x89 && code[3] == 0xe5;
  return frame_pointer ? ReturnInto::kFramePointer : ReturnInto::kNoFramePointer;
#else
  return ReturnInto::kNoFramePointer;
#endif
}

// A frame pointer worth reading: aligned, above the previous one and within
// the same stack (a bound for robustness; frames are only followed out of
// functions that keep a frame pointer).
constexpr uintptr_t kMaxStackSpan = uintptr_t{64} << 20;
bool plausible_frame(const void* frame, uintptr_t previous, uintptr_t bottom) noexcept {
  const uintptr_t address = reinterpret_cast<uintptr_t>(frame);
  return address % alignof(void*) == 0 && address > previous && address - bottom < kMaxStackSpan;
}

}  // namespace

ReturnInto classify_return_address(const void* pc) noexcept {
  const uintptr_t address = reinterpret_cast<uintptr_t>(pc);
  if (address >> 62 != 0) return classify_uncached(pc);
  std::atomic<uint64_t>& slot = g_classes[class_slot(address)];
  const uint64_t entry = slot.load(std::memory_order_relaxed);
  if (entry >> 2 == address && (entry & 3) != 0) [[likely]]
    return static_cast<ReturnInto>(entry & 3);
  // Two threads racing here compute the same answer.
  const ReturnInto result = classify_uncached(pc);
  slot.store(address << 2 | static_cast<uint64_t>(result), std::memory_order_relaxed);
  return result;
}

int walk_call_chain(const void* return_address, const void* frame, const void** frames) noexcept {
  frames[0] = return_address;
  if (frame == nullptr || classify_return_address(return_address) != ReturnInto::kFramePointer)
    return 1;
  // Up to the frame whose return address is `return_address` (the callee's):
  // the frame pointer it saved is the caller's frame.
  const auto* callee = static_cast<void* const*>(frame);
  const uintptr_t bottom = reinterpret_cast<uintptr_t>(callee);
  constexpr int kMaxCalleeFrames = 8;
  const void* caller_frame = nullptr;
  for (int i = 0; i < kMaxCalleeFrames; ++i) {
    if (callee[1] == return_address) {
      caller_frame = callee[0];
      break;
    }
    const void* up = callee[0];
    if (!plausible_frame(up, reinterpret_cast<uintptr_t>(callee), bottom)) break;
    callee = static_cast<void* const*>(up);
  }
  int count = 1;
  // `caller_frame` is the frame of the function frames[count - 1] returns
  // into, which keeps a frame pointer.
  uintptr_t previous = reinterpret_cast<uintptr_t>(callee);
  while (count < kMaxChainFrames && caller_frame != nullptr &&
         plausible_frame(caller_frame, previous, bottom)) {
    const auto* links = static_cast<void* const*>(caller_frame);
    const void* caller = links[1];
    if (caller == nullptr) break;
    // Noise: the C runtime's start code, a thread's start in libc or libstdc++.
    const ReturnInto into = classify_return_address(caller);
    if (into == ReturnInto::kNoise) break;
    frames[count++] = caller;
    if (into != ReturnInto::kFramePointer) break;
    previous = reinterpret_cast<uintptr_t>(caller_frame);
    caller_frame = links[0];
  }
  return count;
}

std::string call_chain_text(const void* const* frames, int count) {
  std::string text;
  char item[32];
  for (int i = 0; i < count; ++i) {
    std::snprintf(item, sizeof item, "%spc:0x%" PRIxPTR, i == 0 ? "" : ";",
                  reinterpret_cast<uintptr_t>(frames[i]));
    text += item;
  }
  return text;
}

}  // namespace taskscope::detail

namespace taskscope {

// noinline: with no `frame` given, __builtin_frame_address(0) is this
// function's own frame, whose saved %rbp is its caller's.
__attribute__((noinline)) StringId intern_call_chain(const void* return_address,
                                                     const void* frame, bool* alone) noexcept {
  if (frame == nullptr) frame = __builtin_frame_address(0);
  const void* frames[detail::kMaxChainFrames];
  const int count = detail::walk_call_chain(return_address, frame, frames);
  if (alone != nullptr)
    *alone = count == 1 && detail::classify_return_address(return_address) !=
                               detail::ReturnInto::kFramePointer;
  if (count == 1) return intern_pc(return_address);
  if (detail::ThreadContext* context = detail::this_thread_context())
    return context->caches.chain(frames, count);
  try {
    return detail::intern_text(detail::call_chain_text(frames, count));
  } catch (...) {
    return 0;
  }
}

}  // namespace taskscope
