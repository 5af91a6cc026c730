// ScreenView (cli/top/screen_view.cpp): what top's screen shows of a frame —
// agents filtered by name and sorted by a column, and the selected one's details.
#include <catch2/catch.hpp>

#include "taskscope/analyzer/live.hpp"
#include "top/screen.hpp"

namespace {

taskscope::analyzer::LiveFrame finished_frame(const std::string& name) {
  taskscope::analyzer::LiveSession session(std::string(TASKSCOPE_SOURCE_DIR) + "/traces/" + name +
                                           "/" + name + ".tscope");
  session.poll();
  return session.frame();
}

}  // namespace

TEST_CASE("the screen filters agents by name and sorts them by a column", "[top]") {
  const auto frame = finished_frame("service");
  REQUIRE(frame.agents.size() > 2);
  taskscope::cli::ScreenView view;
  CHECK(view.agents(frame).size() == frame.agents.size());

  view.sort_column = 3;  // FOR: the longest first
  auto sorted = view.agents(frame);
  for (size_t i = 1; i < sorted.size(); ++i)
    CHECK(sorted[i - 1]->state_for_ns >= sorted[i]->state_for_ns);
  view.reverse = true;
  sorted = view.agents(frame);
  for (size_t i = 1; i < sorted.size(); ++i)
    CHECK(sorted[i - 1]->state_for_ns <= sorted[i]->state_for_ns);

  const std::string name = frame.agents.back().ref.name;
  view.filter = name;
  const auto filtered = view.agents(frame);
  REQUIRE(!filtered.empty());
  for (const auto* agent : filtered) CHECK(agent->ref.name.find(name) != std::string::npos);
  view.filter = "no agent is called this";
  CHECK(view.agents(frame).empty());
  CHECK(view.details(frame).empty());
}

TEST_CASE("the screen's details of an agent show its wait and spawn chain", "[top]") {
  const auto frame = finished_frame("service");
  // A blocked agent with a parent: its line names the wait, the next its parent.
  const taskscope::analyzer::LiveAgent* chosen = nullptr;
  for (const auto& agent : frame.agents)
    if (!agent.waiting_on.empty() && !agent.ref.spawn_chain.empty()) chosen = &agent;
  REQUIRE(chosen != nullptr);
  taskscope::cli::ScreenView view;
  view.selected = chosen->ref.id;
  const auto lines = view.details(frame);
  REQUIRE(lines.size() >= 4);
  CHECK(lines[0].rfind(chosen->ref.name, 0) == 0);
  CHECK(lines[0].find(chosen->waiting_on) != std::string::npos);
  CHECK(lines[1].find(chosen->ref.spawn_chain.front().name) != std::string::npos);
}
