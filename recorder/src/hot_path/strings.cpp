#include "hot_path/strings.hpp"

#include <cinttypes>
#include <cstdio>
#include <functional>
#include <new>

#include "hot_path/reentry.hpp"
#include "hot_path/string_caches.hpp"

namespace taskscope::detail {

StringTable& StringTable::instance() noexcept {
  static StringTable* table = new StringTable();
  return *table;
}

uint32_t StringTable::intern(std::string_view text) {
  if (text.empty()) return 0;
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto it = ids_.find(text); it != ids_.end()) return it->second;
  texts_.emplace_back(text);
  const auto id = static_cast<uint32_t>(texts_.size());
  ids_.emplace(texts_.back(), id);
  return id;
}

uint32_t StringTable::collect(uint32_t from, std::vector<format::StringEntry>& out) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto next = static_cast<uint32_t>(texts_.size() + 1);
  for (uint32_t id = from == 0 ? 1 : from; id < next; ++id)
    out.push_back(format::StringEntry{id, texts_[id - 1]});
  return next;
}

StringId intern_text(std::string_view text) noexcept {
  ReentryGuard guard;
  try {
    return StringTable::instance().intern(text);
  } catch (...) {
    return 0;  // out of memory: the event loses its name, the program goes on
  }
}

std::string location_text(const std::source_location& loc) {
  std::string text = loc.file_name();
  text += ':';
  text += std::to_string(loc.line());
  if (loc.function_name() != nullptr && loc.function_name()[0] != '\0') {
    text += ' ';
    text += loc.function_name();
  }
  return text;
}

std::string pc_text(const void* return_address) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "pc:0x%" PRIxPTR,
                reinterpret_cast<uintptr_t>(return_address));
  return buffer;
}

// ---- per-thread caches ----


StringId StringCaches::location(const std::source_location& loc) noexcept {
  const void* file = loc.file_name();
  const void* function = loc.function_name();
  const uint32_t line = loc.line();
  SiteSlot& slot = sites_[mix(reinterpret_cast<uintptr_t>(file) ^
                              (reinterpret_cast<uintptr_t>(function) << 7) ^ line) %
                          kSiteSlots];
  if (slot.id != 0 && slot.file == file && slot.function == function && slot.line == line)
    return slot.id;
  StringId id = 0;
  try {
    id = intern_text(location_text(loc));
  } catch (...) {
    return 0;
  }
  slot = SiteSlot{file, function, line, id};
  return id;
}

StringId StringCaches::pc_miss(const void* return_address) noexcept {
  PcSlot& slot = pcs_[pc_slot(return_address)];
  StringId id = 0;
  try {
    id = intern_text(pc_text(return_address));
  } catch (...) {
    return 0;
  }
  slot = PcSlot{return_address, id};
  return id;
}

StringId StringCaches::chain(const void* const* frames, int count) noexcept {
  uint64_t hash = static_cast<uint64_t>(count);
  for (int i = 0; i < count; ++i) hash = mix(hash ^ reinterpret_cast<uintptr_t>(frames[i]));
  ChainSlot& slot = chains_[hash % kChainSlots];
  if (slot.id != 0 && slot.count == count) {
    int same = 0;
    while (same < count && slot.frames[same] == frames[same]) ++same;
    if (same == count) return slot.id;
  }
  StringId id = 0;
  try {
    id = intern_text(call_chain_text(frames, count));
  } catch (...) {
    return 0;
  }
  if (id != 0) {
    for (int i = 0; i < count; ++i) slot.frames[i] = frames[i];
    slot.count = count;
    slot.id = id;
  }
  return id;
}

StringId StringCaches::name(std::string_view text) noexcept {
  if (text.empty()) return 0;
  const uint64_t hash = std::hash<std::string_view>{}(text);
  NameSlot& slot = names_[mix(hash) % kNameSlots];
  if (slot.id != 0 && slot.hash == hash && slot.text == text) return slot.id;
  const StringId id = intern_text(text);
  try {
    slot.text.assign(text);
    slot.hash = hash;
    slot.id = id;
  } catch (...) {
    slot.id = 0;
  }
  return id;
}

}  // namespace taskscope::detail
