// Per-thread direct-mapped caches in front of the global string table, so that
// a hot call site or a recurring span name is interned without taking its lock.
#pragma once

#include <cstdint>
#include <source_location>
#include <string>
#include <string_view>

#include "hot_path/stack_walk.hpp"
#include "taskscope/events.hpp"

namespace taskscope::detail {

// Owned by one thread (inside its ThreadContext). A miss interns through the
// global table and overwrites the slot; ids never change, so a stale slot is
// only ever a miss, never a wrong answer.
class StringCaches {
 public:
  StringId location(const std::source_location& loc) noexcept;
  StringId pc(const void* return_address) noexcept {
    const PcSlot& slot = pcs_[pc_slot(return_address)];
    if (slot.id != 0 && slot.pc == return_address) [[likely]]
      return slot.id;
    return pc_miss(return_address);
  }
  // Keyed by content (hash, then compare), since the caller's buffer may be
  // reused for other text.
  StringId name(std::string_view text) noexcept;
  // A call chain from walk_call_chain, keyed by its frames, so that a hot
  // contended site is not formatted and looked up in the global table each time.
  StringId chain(const void* const* frames, int count) noexcept;

 private:
  struct SiteSlot {
    const void* file = nullptr;
    const void* function = nullptr;
    uint32_t line = 0;
    StringId id = 0;
  };
  struct PcSlot {
    const void* pc = nullptr;
    StringId id = 0;
  };
  struct ChainSlot {
    const void* frames[kMaxChainFrames] = {};
    int count = 0;
    StringId id = 0;
  };
  struct NameSlot {
    uint64_t hash = 0;
    StringId id = 0;
    std::string text;
  };
  // The slot hash of every cache here.
  static size_t mix(uint64_t x) noexcept {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return static_cast<size_t>(x);
  }
  static size_t pc_slot(const void* pc) noexcept {
    return mix(reinterpret_cast<uintptr_t>(pc)) % kPcSlots;
  }
  StringId pc_miss(const void* return_address) noexcept;

  static constexpr size_t kSiteSlots = 256;
  static constexpr size_t kPcSlots = 256;
  static constexpr size_t kNameSlots = 64;
  static constexpr size_t kChainSlots = 32;

  SiteSlot sites_[kSiteSlots];
  PcSlot pcs_[kPcSlots];
  NameSlot names_[kNameSlots];
  ChainSlot chains_[kChainSlots];
};

// The global table (thread-safe) and the texts it stores for call sites.
StringId intern_text(std::string_view text) noexcept;
std::string location_text(const std::source_location& loc);
std::string pc_text(const void* return_address);

}  // namespace taskscope::detail
