// How names, locations and times read in reports.
#include "taskscope/analyzer/names.hpp"

#include <catch2/catch.hpp>

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
