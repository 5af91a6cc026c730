// The open-addressing id map behind the stats pass (analyzer/src/stats/id_map.hpp),
// checked against std::unordered_map under random inserts and erases.
#include "id_map.hpp"

#include <catch2/catch.hpp>
#include <random>
#include <unordered_map>

namespace taskscope::analyzer::stats {
namespace {

struct Record {
  uint64_t value = 0;
};

TEST_CASE("id map agrees with unordered_map under random inserts and erases") {
  IdMap<Record> map;
  std::unordered_map<uint64_t, uint64_t> reference;
  std::mt19937_64 random(42);
  int wrong_inserts = 0, wrong_values = 0;
  for (int step = 0; step < 200000; ++step) {
    // Few distinct ids, some colliding in the low bits, so runs wrap and shift.
    const uint64_t id = (random() % 3000) << (step % 3 == 0 ? 20 : 0);
    if (random() % 3 == 0) {
      map.erase(id);
      reference.erase(id);
    } else {
      bool inserted = false;
      map.get_or_insert(id, &inserted).value = id + 1;
      if (inserted != (reference.count(id) == 0)) ++wrong_inserts;
      reference[id] = id + 1;
    }
  }
  CHECK(wrong_inserts == 0);
  CHECK(map.size() == reference.size());
  for (const auto& [id, value] : reference) {
    const Record* record = map.find(id);
    if (!record || record->value != value) ++wrong_values;
  }
  size_t visited = 0;
  map.for_each([&](uint64_t id, Record& record) {
    ++visited;
    if (reference.at(id) != record.value) ++wrong_values;
  });
  CHECK(wrong_values == 0);
  CHECK(visited == reference.size());
  CHECK(map.find(0) == (reference.count(0) ? map.find(0) : nullptr));
}

TEST_CASE("records stay where they are while the map grows") {
  IdMap<Record> map;
  Record& first = map.get_or_insert(7);
  first.value = 70;
  for (uint64_t id = 100; id < 5000; ++id) map.get_or_insert(id);
  CHECK(&map.get_or_insert(7) == &first);
  CHECK(first.value == 70);
  map.clear();
  CHECK(map.size() == 0);
  CHECK(map.find(7) == nullptr);
}

}  // namespace
}  // namespace taskscope::analyzer::stats
