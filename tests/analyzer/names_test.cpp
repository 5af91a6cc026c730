// How names, locations and times read in reports.
#include "taskscope/analyzer/names.hpp"

#include <catch2/catch.hpp>

#include "taskscope/analyzer/name_catalog.hpp"

#include "script.hpp"

namespace taskscope::test {

using analyzer::Names;

TEST_CASE("names: locations are tidied, stacks kept, lambdas named", "[names]") {
  analyzer::State state;
  analyzer::StringTable strings{
      {1, "/work/app/src/fetch.cpp:88 void net::fetch(int)"},
      {2,
       "/work/app/src/main.cpp:3 (main::{lambda()#1}::operator()() const) <- "
       "/work/app/src/run.cpp:9 (run)"},
      {3, "pc:0xdeadbeef"},
      {4, "/t/e2e/x.cpp:5 int main(int, char**)::<lambda(int)>"}};
  analyzer::Symbolizer symbolizer;
  Names names(state, strings, symbolizer);
  CHECK(names.location(1) == "src/fetch.cpp:88 (net::fetch)");
  CHECK(names.location(2) == "src/main.cpp:3 (lambda in main) <- src/run.cpp:9 (run)");
  CHECK(names.location(3) == "pc:0xdeadbeef");
  CHECK(names.location(4) == "e2e/x.cpp:5 (lambda in main)");
  CHECK(names.location(0).empty());
}

TEST_CASE("names: agents with a shared name get #N, others keep theirs", "[names]") {
  Script s;
  s.thread(1, "main").thread(2, "worker").thread(3, "worker").thread(4, "");
  auto analysis = s.analyze();
  const Names& names = analysis->names();
  CHECK(names.agent(1) == "main");
  CHECK(names.agent(2) == "worker#1");
  CHECK(names.agent(3) == "worker#2");
  CHECK(names.agent(4) == "thread-4");
  CHECK(names.agent(99) == "agent-99");
}

TEST_CASE("names: the catalog of a pass names agents and resources as the replay does",
          "[names]") {
  Script s;
  s.thread(1, "main").thread(2, "worker").thread(3, "worker").thread(4, "");
  s.spawn(1, 10, "fetch").spawn(1, 11, "fetch").spawn(1, 12, "index");
  s.mutex(1, 100, "accounts").mutex(1, 101, "").mutex(1, 102, "");
  s.lock(2, 101, "/work/app/src/bank.c:37 void transfer(int)");
  s.block_lock(3, 102, "/work/app/src/bank.c:52 void audit()");
  s.emit(4, EventKind::kAgentName, 0, 4, 0, s.str("renamed"));
  auto analysis = s.analyze();
  const Names& replayed = analysis->names();
  analyzer::NameCatalog catalog([&s](uint32_t id) {
    auto it = s.strings.find(id);
    return it == s.strings.end() ? std::string_view{} : std::string_view{it->second};
  });
  for (const Event& e : s.events) catalog.learn(e);
  for (AgentId id : std::initializer_list<AgentId>{1, 2, 3, 4, 10, 11, 12}) {
    INFO("agent " << id);
    CHECK(catalog.agent(id) == replayed.agent(id));
  }
  CHECK(catalog.agent(3) == "worker#2");
  CHECK(catalog.agent(11) == "fetch#2");
  CHECK(catalog.agent(12) == "index");
  CHECK(catalog.agent(4) == "renamed");
  for (ResourceId id : std::initializer_list<ResourceId>{100, 101, 102}) {
    INFO("resource " << id);
    CHECK(catalog.resource(id) == replayed.resource(id));
    CHECK(catalog.resource_phrase(id) == replayed.resource_phrase(id));
  }
  CHECK(catalog.resource(101) == "mutex@src/bank.c:37");
  CHECK(catalog.resource_phrase(100) == "mutex \"accounts\"");
  CHECK(catalog.location(s.str("/work/app/src/bank.c:52 void audit()")) ==
        "src/bank.c:52 (audit)");
}

TEST_CASE("names: an address no module covers is never shown as a name", "[names]") {
  analyzer::StringTable strings{{1, "sym:0x55e3bc5e90e0"}, {2, "sym:0x401136"}, {3, "bank.c:9"}};
  analyzer::NameResolver resolver([&strings](uint32_t id) {
    auto it = strings.find(id);
    return it == strings.end() ? std::string_view{} : std::string_view{it->second};
  });
  CHECK(resolver.symbolic(1).empty());
  CHECK(resolver.agent({analyzer::AgentType::kThread, 7, 2, 1, 1}) == "thread-7");
  CHECK(resolver.resource({format::ResourceKind::kMutex, 5, 1, 3}) == "mutex@bank.c:9");
  CHECK(resolver.resource({format::ResourceKind::kMutex, 5, 1, 0}) == "mutex-5");
  CHECK(resolver.resource_phrase({format::ResourceKind::kChannel, 6, 3, 0}) ==
        "channel \"bank.c:9\"");
}

TEST_CASE("names: durations, times and counts", "[names]") {
  CHECK(Names::duration(11'600'000'000) == "11.6 s");
  CHECK(Names::duration(240'000'000) == "240 ms");
  CHECK(Names::duration(35'000) == "35 us");
  CHECK(Names::duration(12) == "12 ns");
  CHECK(Names::time(420'000'000) == "0.42 s");
  CHECK(Names::count(48112) == "48,112");
  CHECK(Names::count(7) == "7");
}

}  // namespace taskscope::test
