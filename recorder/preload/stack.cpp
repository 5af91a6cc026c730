// Short denoised stacks for slow paths (see stack_site in shim.hpp).
//
// Why denoise: a std::condition_variable wait enters pthread_cond_wait from
// libstdc++, and every interposed call passes through the shim, so the raw
// return address often names library code. The person reading the report wants
// the program's frames. Which frames are noise is decided by address range
// (module_ranges.hpp), so the slow path does no dladdr (which takes the loader
// lock) and no allocation beyond interning the resulting string.
//
// Fast-path sites (site() in shim.hpp) walk frame pointers instead, and only
// out of functions known to keep one: see classify below.
#include <execinfo.h>
#include <unwind.h>

#include <cinttypes>
#include <cstdio>
#include <string_view>

#include "identity.hpp"
#include "module_ranges.hpp"
#include "shim.hpp"

namespace taskscope::preload {
namespace {

// Return address -> what the function it returns into is (Slot::word: 0 not
// yet known, else one of these). A table full of distinct call sites answers
// kNoFramePointer: the site is then the return address alone.
enum class Code : uint64_t { kNoise = 1, kNoFramePointer = 2, kFramePointer = 3 };
constinit AddressTable g_return_addresses(16);

// kFramePointer when the function containing the call before `pc` starts with
// the x86-64 frame-pointer prologue (push %rbp; mov %rsp,%rbp, after an
// optional endbr64): at every call it makes, %rbp is then its frame, holding
// the caller's %rbp and, above it, the return address into the caller. A
// function without it (optimised code) may use %rbp for anything, so the walk
// stops there. Noise modules (is_noise) are never walked through: their frames
// are not the program's.
Code classify(const void* pc) noexcept {
#if defined(__x86_64__)
  Slot* slot = g_return_addresses.find_or_insert(reinterpret_cast<uintptr_t>(pc));
  if (slot == nullptr) return is_noise(pc) ? Code::kNoise : Code::kNoFramePointer;
  const uint64_t known = slot->word.load(std::memory_order_relaxed);
  if (known != 0) [[likely]]
    return static_cast<Code>(known);
  // Once per return address. The FDE lookup is libgcc's (the unwinder that
  // backtrace() uses, loaded by prepare_stack_capture); two threads racing
  // here compute the same answer.
  Code result = Code::kNoise;
  if (!is_noise(pc)) {
    const auto* code =
        static_cast<const unsigned char*>(_Unwind_FindEnclosingFunction(const_cast<void*>(pc)));
    bool frame_pointer = false;
    if (code != nullptr) {
      if (code[0] == 0xf3 && code[1] == 0x0f && code[2] == 0x1e && code[3] == 0xfa) code += 4;
      frame_pointer = code[0] == 0x55 && code[1] == 0x48 && code[2] == 0x89 && code[3] == 0xe5;
    }
    result = frame_pointer ? Code::kFramePointer : Code::kNoFramePointer;
  }
  slot->word.store(static_cast<uint64_t>(result), std::memory_order_relaxed);
  return result;
#else
  return is_noise(pc) ? Code::kNoise : Code::kNoFramePointer;
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

// Per-thread cache of interned call chains (direct-mapped by a hash of the
// frames), so that a hot site walked through frame pointers is not formatted
// and looked up in the global string table each time.
struct ChainSlot {
  const void* frames[kMaxStackFrames] = {};
  int count = 0;
  StringId id = 0;
};
constexpr size_t kChainSlots = 32;
constinit thread_local ChainSlot t_chains[kChainSlots] __attribute__((tls_model("initial-exec")));

StringId intern_chain(const void* const* frames, int count) noexcept {
  uint64_t hash = static_cast<uint64_t>(count);
  for (int i = 0; i < count; ++i) {
    hash = (hash ^ reinterpret_cast<uintptr_t>(frames[i])) * 0x9E3779B97F4A7C15ull;
    hash ^= hash >> 29;
  }
  ChainSlot& slot = t_chains[hash % kChainSlots];
  if (slot.id != 0 && slot.count == count) {
    int same = 0;
    while (same < count && slot.frames[same] == frames[same]) ++same;
    if (same == count) return slot.id;
  }
  char text[kMaxStackFrames * 24];
  size_t length = 0;
  for (int i = 0; i < count; ++i) {
    const int written = std::snprintf(text + length, sizeof text - length, "%spc:0x%" PRIxPTR,
                                      i == 0 ? "" : ";", reinterpret_cast<uintptr_t>(frames[i]));
    if (written <= 0 || static_cast<size_t>(written) >= sizeof text - length) break;
    length += static_cast<size_t>(written);
  }
  const StringId id = intern(std::string_view(text, length));
  if (id != 0) {
    for (int i = 0; i < count; ++i) slot.frames[i] = frames[i];
    slot.count = count;
    slot.id = id;
  }
  return id;
}

// Per-thread cache of the sites that are a return address alone (the function
// it returns into keeps no frame pointer: optimised code), the common case:
// one compare instead of the classification and the recorder's own cache.
struct PlainSlot {
  const void* pc = nullptr;
  StringId id = 0;
};
constexpr size_t kPlainSlots = 64;
constinit thread_local PlainSlot t_plain[kPlainSlots] __attribute__((tls_model("initial-exec")));

size_t plain_slot(const void* pc) noexcept {
  return static_cast<size_t>((reinterpret_cast<uintptr_t>(pc) * 0x9E3779B97F4A7C15ull) >> 58);
}
static_assert(kPlainSlots == size_t{1} << (64 - 58));

// site() past its cache: noinline, for __builtin_frame_address.
__attribute__((noinline)) StringId walk_site(const void* return_address) noexcept {
  if (classify(return_address) != Code::kFramePointer) {
    const StringId id = intern_pc(return_address);
    if (id != 0) t_plain[plain_slot(return_address)] = {return_address, id};
    return id;
  }
  // Up the shim's own frames to the interposer's, the one whose return address
  // is `return_address`: the frame pointer it saved is the program's.
  const auto* frame = static_cast<void* const*>(__builtin_frame_address(0));
  const uintptr_t bottom = reinterpret_cast<uintptr_t>(frame);
  constexpr int kMaxShimFrames = 8;
  const void* program_frame = nullptr;
  for (int i = 0; i < kMaxShimFrames; ++i) {
    if (frame[1] == return_address) {
      program_frame = frame[0];
      break;
    }
    const void* up = frame[0];
    if (!plausible_frame(up, reinterpret_cast<uintptr_t>(frame), bottom)) break;
    frame = static_cast<void* const*>(up);
  }
  const void* frames[kMaxStackFrames] = {return_address};
  int count = 1;
  // `program_frame` is the frame of the function frames[count - 1] returns
  // into, as long as that function keeps a frame pointer.
  uintptr_t previous = reinterpret_cast<uintptr_t>(frame);
  while (count < kMaxStackFrames && program_frame != nullptr &&
         plausible_frame(program_frame, previous, bottom)) {
    const auto* links = static_cast<void* const*>(program_frame);
    const void* caller = links[1];
    if (caller == nullptr) break;
    // Noise: the C runtime's start code, a thread's start in libc or libstdc++.
    const Code code = classify(caller);
    if (code == Code::kNoise) break;
    frames[count++] = caller;
    if (code != Code::kFramePointer) break;
    previous = reinterpret_cast<uintptr_t>(program_frame);
    program_frame = links[0];
  }
  if (count == 1) return intern_pc(return_address);
  return intern_chain(frames, count);
}

}  // namespace

StringId site(const void* return_address) noexcept {
  const PlainSlot& slot = t_plain[plain_slot(return_address)];
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
