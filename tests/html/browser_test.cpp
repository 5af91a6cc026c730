// `taskscope report` pages of scenario traces, loaded from file:// in headless
// Chromium (driven by its command line). The DOM it dumps after the page's
// scripts ran must hold the finding, every agent of the cycle as a node of the
// Graphviz graph and one timeline lane per thread and task (names taken from
// `taskscope analyze --format json` and `taskscope export`, not from the page);
// no script error may be recorded in the page or logged on Chromium's console,
// and no network request made. Screenshots are saved beside this test's binary.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "run_cli.hpp"

namespace taskscope::testing {
namespace {

const std::string kArtifacts = TASKSCOPE_HTML_ARTIFACTS;

std::string trace(const std::string& scenario) {
  return std::string(TASKSCOPE_SOURCE_DIR) + "/traces/" + scenario + "/" + scenario + ".tscope";
}

CliResult run_command(const std::string& command) {
  const std::string err_path = kArtifacts + "/command-" + std::to_string(::getpid()) + ".err";
  CliResult result;
  FILE* pipe = ::popen((command + " 2>" + err_path).c_str(), "r");
  if (!pipe) return result;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, n);
  const int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.err = slurp(err_path);
  std::remove(err_path.c_str());
  return result;
}

// Writes the page of a scenario's trace into the artifacts folder, as
// NAME.html: tests that run at the same time write different files.
std::string make_page(const std::string& scenario, const std::string& name) {
  const std::string page = kArtifacts + "/" + name + ".html";
  const CliResult made = run_cli("report '" + trace(scenario) + "' -o '" + page + "'");
  INFO(made.err);
  REQUIRE(made.status == 0);
  return page;
}

// Headless Chromium with a fresh profile, every host name unresolvable, and the
// console logged on stderr. `action` is --dump-dom or --screenshot=FILE.
CliResult chromium(const std::string& page, const std::string& action) {
  std::string profile = kArtifacts + "/chromium-profile-XXXXXX";
  REQUIRE(::mkdtemp(profile.data()) != nullptr);
  const std::string command =
      std::string("timeout 90 ") + TASKSCOPE_CHROMIUM +
      " --headless=new --no-sandbox --disable-gpu --no-first-run --no-default-browser-check"
      " --disable-extensions --disable-background-networking --disable-component-update"
      " --disable-sync --disable-default-apps --hide-scrollbars"
      " --host-resolver-rules='MAP * ~NOTFOUND' --enable-logging=stderr --v=0"
      " --user-data-dir='" +
      profile + "' " + action + " 'file://" + page + "'";
  const CliResult result = run_command(command);
  std::filesystem::remove_all(profile);
  return result;
}

// Console messages as Chromium logs them: "[...:INFO:CONSOLE:12] "text", source: ...".
std::vector<std::string> console_lines(const std::string& log) {
  std::vector<std::string> lines;
  size_t begin = 0;
  while (begin < log.size()) {
    size_t end = log.find('\n', begin);
    if (end == std::string::npos) end = log.size();
    const std::string line = log.substr(begin, end - begin);
    if (line.find(":CONSOLE") != std::string::npos) lines.push_back(line);
    begin = end + 1;
  }
  return lines;
}

std::string attribute(std::string text) {
  std::string out;
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '"')
      out += "&quot;";
    else
      out += c;
  }
  return out;
}

std::string node_title(const std::string& name) {
  std::string out = "<title>";
  for (char c : name) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
  return out + "</title>";
}

// The first start tag of an element in the dumped DOM ("" when absent): where
// the page's scripts leave their attributes.
std::string start_tag(const std::string& dom, const std::string& open) {
  const size_t begin = dom.find(open);
  if (begin == std::string::npos) return std::string();
  return dom.substr(begin, dom.find('>', begin) - begin + 1);
}

// Loads the page and checks what every page must show: its scripts ran to the
// end, recorded no error and logged nothing on the console.
std::string rendered_dom(const std::string& page) {
  const CliResult browser = chromium(page, "--dump-dom");
  INFO("chromium stderr:\n" << browser.err);
  REQUIRE(browser.status == 0);
  const std::string& dom = browser.out;
  const std::string root = start_tag(dom, "<html");
  INFO("root element: " << root);
  CHECK(root.find("data-js-errors") == std::string::npos);
  CHECK(start_tag(dom, "<body").find("data-rendered=\"true\"") != std::string::npos);
  CHECK(console_lines(browser.err).empty());
  return dom;
}

// Every thread and task track of the trace, named as `taskscope export` names them.
std::set<std::string> track_names(const std::string& scenario) {
  const CliResult exported = run_cli("export '" + trace(scenario) + "' --format chrome -o -");
  REQUIRE(exported.status == 0);
  rapidjson::Document document;
  document.Parse(exported.out.c_str());
  REQUIRE_FALSE(document.HasParseError());
  std::set<std::string> names;
  for (const auto& event : document["traceEvents"].GetArray())
    if (event["ph"] == "M" && event.HasMember("tid") && event["name"] == "thread_name")
      names.insert(event["args"]["name"].GetString());
  return names;
}

// The agents and resources on the first finding's cycle, from the JSON report.
std::set<std::string> cycle_nodes(const std::string& scenario, bool with_resources) {
  const CliResult analyzed = run_cli("analyze --format json '" + trace(scenario) + "'");
  rapidjson::Document report;
  report.Parse(analyzed.out.c_str());
  REQUIRE_FALSE(report.HasParseError());
  REQUIRE(report["findings"].Size() > 0);
  const auto& finding = report["findings"][0];
  std::set<std::string> names;
  for (const auto& wait : finding["wait_edges"].GetArray()) {
    if (!wait["in_cycle"].GetBool()) continue;
    names.insert(wait["agent"]["name"].GetString());
    if (!with_resources || !wait["resource"].IsObject()) continue;
    // The graph names a resource node by its type and name ("channel results").
    for (const auto& resource : finding["resources"].GetArray())
      if (resource["id"].GetUint64() == wait["resource"]["id"].GetUint64())
        names.insert(std::string(resource["type"].GetString()) + " " +
                     resource["name"].GetString());
  }
  return names;
}

void check_lanes(const std::string& dom, const std::string& scenario) {
  const std::set<std::string> tracks = track_names(scenario);
  REQUIRE(tracks.size() > 1);
  for (const std::string& name : tracks) {
    INFO("lane " << name);
    CHECK(dom.find("data-agent=\"" + attribute(name) + "\"") != std::string::npos);
  }
}

TEST_CASE("the service trace's page shows its channel-full cycle in a browser", "[html][browser]") {
  const std::string dom = rendered_dom(make_page("service", "service"));
  CHECK(dom.find("CHANNEL-FULL CYCLE") != std::string::npos);
  CHECK(dom.find("service/service.cpp:62") != std::string::npos);  // a wait's source line
  const std::set<std::string> nodes = cycle_nodes("service", true);
  CHECK(nodes == std::set<std::string>{"aggregator", "fetch#19", "channel results"});
  for (const std::string& node : nodes) {
    INFO("graph node " << node);
    CHECK(dom.find(node_title(node)) != std::string::npos);
  }
  check_lanes(dom, "service");
  CHECK(dom.find("data-channel=\"results\"") != std::string::npos);
}

TEST_CASE("a deadlock's page draws every agent of its cycle", "[html][browser]") {
  const std::string dom = rendered_dom(make_page("abba", "abba"));
  CHECK(dom.find("DEADLOCK") != std::string::npos);
  const std::set<std::string> nodes = cycle_nodes("abba", false);
  REQUIRE(nodes.size() >= 2);
  for (const std::string& node : nodes) {
    INFO("graph node " << node);
    CHECK(dom.find(node_title(node)) != std::string::npos);
  }
  check_lanes(dom, "abba");
}

TEST_CASE("the page makes no network request", "[html][browser]") {
  const std::string page = make_page("pipeline_cycle", "pipeline_cycle");
  const std::string html = slurp(page);
  // No reference that a browser would load: every style and script is inline.
  for (const char* reference : {" src=", " href=\"http", " href='http", "url(", "@import", "<link",
                                "<iframe", "<img", "fetch(", "XMLHttpRequest", "WebSocket"}) {
    INFO(reference);
    CHECK(html.find(reference) == std::string::npos);
  }
  CHECK(html.find("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';") !=
        std::string::npos);
  // Loaded with every host unresolvable: nothing was fetched (the page counts
  // its resource loads) and nothing was blocked by its policy (recorded as an
  // error, which rendered_dom() refuses).
  const std::string dom = rendered_dom(page);
  CHECK(start_tag(dom, "<body").find("data-resources-loaded=\"0\"") != std::string::npos);
}

TEST_CASE("a script error on the page is caught by the checks", "[html][browser]") {
  // The same page with one failing script and one console error added: the
  // checks above must be able to fail.
  std::string html = slurp(make_page("abba", "abba-broken"));
  const size_t end = html.rfind("</body>");
  REQUIRE(end != std::string::npos);
  html.insert(end, "<script>console.error('checked'); null.missing();</script>\n");
  const std::string page = kArtifacts + "/abba-broken.html";
  std::ofstream(page) << html;
  const CliResult browser = chromium(page, "--dump-dom");
  REQUIRE(browser.status == 0);
  const std::string root = start_tag(browser.out, "<html");
  CHECK(root.find("data-js-errors=\"checked") != std::string::npos);
  CHECK(root.find("null") != std::string::npos);
  CHECK(console_lines(browser.err).size() >= 1);
}

TEST_CASE("the html diff draws the distributions of each significant change", "[html][browser]") {
  const std::string base =
      std::string(TASKSCOPE_SOURCE_DIR) + "/traces/service/service_twin.tscope";
  const std::string page = kArtifacts + "/service-diff.html";
  const CliResult made = run_command(std::string(TASKSCOPE_CLI) + " diff '" + base + "' '" +
                                     trace("service") + "' --format html > '" + page + "'");
  REQUIRE(made.status == 0);
  const std::string dom = rendered_dom(page);
  const CliResult json = run_cli("diff '" + base + "' '" + trace("service") + "' --format json");
  rapidjson::Document diff;
  diff.Parse(json.out.c_str());
  REQUIRE_FALSE(diff.HasParseError());
  size_t significant = 0, drawn = 0;
  for (const auto& change : diff["changes"].GetArray()) {
    if (!change["significant"].GetBool()) continue;
    ++significant;
    if (std::string(change["unit"].GetString()) == "count") continue;  // no per-event values
    ++drawn;
    const std::string figure = "data-metric=\"" + attribute(change["name"].GetString()) + " " +
                               change["metric"].GetString() + "\"";
    INFO(figure);
    CHECK(dom.find(figure) != std::string::npos);
  }
  REQUIRE(significant > 0);
  CHECK(drawn > 0);
  size_t rows = 0;
  for (size_t at = dom.find("<tr class=\"significant\""); at != std::string::npos;
       at = dom.find("<tr class=\"significant\"", at + 1))
    ++rows;
  CHECK(rows == significant);
}

TEST_CASE("a screenshot of the service page is saved", "[html][browser]") {
  const std::string page = make_page("service", "service-screenshot");
  const std::string png = kArtifacts + "/service.png";
  std::filesystem::remove(png);
  const CliResult shot = chromium(page, "--window-size=1400,2400 --screenshot='" + png + "'");
  INFO(shot.err);
  REQUIRE(shot.status == 0);
  REQUIRE(std::filesystem::exists(png));
  CHECK(std::filesystem::file_size(png) > 10000);
  CHECK(slurp(png).rfind("\x89PNG", 0) == 0);
}

}  // namespace
}  // namespace taskscope::testing
