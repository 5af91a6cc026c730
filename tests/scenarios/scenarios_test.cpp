// Every committed scenario trace, analyzed by the real CLI, gives exactly its
// expected findings; every twin (the correct variant) gives no error.
//
// traces/NAME/NAME.expected and NAME_twin.expected list what `taskscope
// analyze --format json` must report:
//
//   status 1                                   exit status of analyze
//   args --stall 200ms                         extra arguments (optional)
//   channel_full_cycle error aggregator fetch#19 | results
//                                              one finding: kind, severity, the names
//                                              of the agents it involves (any order),
//                                              then after '|' the names of the
//                                              resources it names (any order; quote
//                                              a name with spaces: "account bob")
//
// `worker-*` stands for any of the executor's worker threads: which worker
// polls a task is the scheduler's choice, not part of the scenario.
// The comparison is exact both ways: a missing finding and an unexpected one
// both fail, so a detector that starts reporting noise is caught here.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// A finding reduced to what the corpus pins down: its kind, severity, agent
// names and resource names.
struct FindingKey {
  std::string kind;
  std::string severity;
  std::set<std::string> agents;
  std::set<std::string> resources;
  auto operator<=>(const FindingKey&) const = default;
};

std::string describe(const FindingKey& key) {
  std::ostringstream out;
  out << key.kind << ' ' << key.severity;
  for (const auto& agent : key.agents) out << ' ' << agent;
  if (!key.resources.empty()) out << " |";
  for (const auto& resource : key.resources) out << ' ' << std::quoted(resource);
  return out.str();
}

// "worker-2" -> "worker-*"; other names unchanged.
std::string any_worker(const std::string& name) {
  const std::string prefix = "worker-";
  if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return name;
  for (size_t i = prefix.size(); i < name.size(); ++i)
    if (name[i] < '0' || name[i] > '9') return name;
  return prefix + "*";
}

struct Expected {
  int status = 0;
  std::string args;
  std::multiset<FindingKey> findings;
};

Expected read_expected(const fs::path& path) {
  std::ifstream in(path);
  REQUIRE(in);
  Expected expected;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream words(line);
    std::string first;
    words >> first;
    if (first == "status") {
      words >> expected.status;
    } else if (first == "args") {
      std::getline(words, expected.args);
    } else {
      FindingKey key{first, {}, {}, {}};
      words >> key.severity;
      std::string agent;
      while (words >> agent && agent != "|") key.agents.insert(agent);
      for (std::string resource; words >> std::quoted(resource);) key.resources.insert(resource);
      expected.findings.insert(key);
    }
  }
  return expected;
}

struct Analysis {
  int status = -1;
  std::multiset<FindingKey> findings;
  std::vector<std::string> severities;
  std::string output;
};

Analysis analyze(const fs::path& trace, const std::string& args) {
  const std::string command =
      std::string(TASKSCOPE_CLI) + " analyze '" + trace.string() + "' --format json " + args;
  Analysis result;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buffer[4096];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;)
    result.output.append(buffer, n);
  const int wait_status = ::pclose(pipe);
  result.status = WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;

  boost::property_tree::ptree report;
  std::istringstream json(result.output);
  boost::property_tree::read_json(json, report);
  REQUIRE(report.get<std::string>("schema") == "taskscope.report/2");
  for (const auto& [unused, finding] : report.get_child("findings")) {
    FindingKey key{finding.get<std::string>("kind"), finding.get<std::string>("severity"), {}, {}};
    if (auto agents = finding.get_child_optional("agents"))
      for (const auto& [unused2, agent] : *agents)
        key.agents.insert(any_worker(agent.get<std::string>("name")));
    if (auto resources = finding.get_child_optional("resources"))
      for (const auto& [unused2, resource] : *resources)
        key.resources.insert(resource.get<std::string>("name"));
    result.findings.insert(key);
    result.severities.push_back(finding.get<std::string>("severity"));
  }
  return result;
}

// Exact both ways: every expected finding is there, and nothing else.
void check_findings(const Expected& expected, const Analysis& analysis) {
  std::vector<std::string> missing, unexpected;
  for (const auto& key : expected.findings)
    if (analysis.findings.count(key) < expected.findings.count(key))
      missing.push_back(describe(key));
  for (const auto& key : analysis.findings)
    if (expected.findings.count(key) < analysis.findings.count(key))
      unexpected.push_back(describe(key));
  CAPTURE(missing, unexpected);
  CHECK(missing.empty());
  CHECK(unexpected.empty());
}

// Every committed trace with its expected-findings file, sorted by name.
std::vector<fs::path> committed_traces() {
  std::vector<fs::path> traces;
  for (const auto& entry :
       fs::recursive_directory_iterator(fs::path(TASKSCOPE_SOURCE_DIR) / "traces"))
    if (entry.path().extension() == ".tscope") traces.push_back(entry.path());
  std::sort(traces.begin(), traces.end());
  return traces;
}

bool is_twin(const fs::path& trace) {
  const std::string stem = trace.stem().string();
  return stem.size() > 5 && stem.compare(stem.size() - 5, 5, "_twin") == 0;
}

}  // namespace

TEST_CASE("every scenario has a committed trace and expected findings, with its twin",
          "[scenarios]") {
  const fs::path root = fs::path(TASKSCOPE_SOURCE_DIR) / "traces";
  int scenarios = 0;
  for (const auto& entry : fs::directory_iterator(root)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || !fs::exists(entry.path() / (name + ".cpp"))) continue;
    ++scenarios;
    for (const std::string& variant : {name, name + "_twin"}) {
      INFO(variant);
      CHECK(fs::exists(entry.path() / (variant + ".tscope")));
      CHECK(fs::exists(entry.path() / (variant + ".expected")));
    }
  }
  CHECK(scenarios >= 9);
}

TEST_CASE("committed traces give exactly their expected findings", "[scenarios]") {
  const auto traces = committed_traces();
  REQUIRE_FALSE(traces.empty());
  for (const fs::path& trace : traces) {
    fs::path expected_path = trace;
    expected_path.replace_extension(".expected");
    const Expected expected = read_expected(expected_path);
    const Analysis analysis = analyze(trace, expected.args);
    INFO(trace.filename().string() << "\n" << analysis.output);
    CHECK(analysis.status == expected.status);
    check_findings(expected, analysis);
  }
}

TEST_CASE("the service, recorded live, hangs, dumps itself and is explained", "[scenarios]") {
  const fs::path trace =
      fs::temp_directory_path() / ("taskscope-service-" + std::to_string(::getpid()) + ".tscope");
  fs::remove(trace);
  const std::string command =
      std::string(TASKSCOPE_SERVICE_SCENARIO) + " '" + trace.string() + "' 2>/dev/null";
  const int status = std::system(command.c_str());
  // The hang watchdog ends the process (124) after writing the trace.
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 124);
  REQUIRE(fs::exists(trace));
  const fs::path source = fs::path(TASKSCOPE_SOURCE_DIR) / "traces" / "service";
  const Expected expected = read_expected(source / "service.expected");
  const Analysis analysis = analyze(trace, expected.args);
  fs::remove(trace);
  INFO(analysis.output);
  CHECK(analysis.status == expected.status);
  check_findings(expected, analysis);
  // The story: who holds the receiver, what the stuck fetch holds, and
  // spawn chains that stop at an agent already shown instead of repeating it.
  CHECK(analysis.output.find("receiver held by aggregator") != std::string::npos);
  CHECK(analysis.output.find("of recorded memory") != std::string::npos);
  CHECK(analysis.output.find("spawned by aggregator at service/service.cpp:") != std::string::npos);
  CHECK(analysis.output.find("(above)") != std::string::npos);
}

TEST_CASE("no twin gives an error-severity finding", "[scenarios]") {
  int twins = 0;
  for (const fs::path& trace : committed_traces()) {
    if (!is_twin(trace)) continue;
    ++twins;
    fs::path expected_path = trace;
    expected_path.replace_extension(".expected");
    const Analysis analysis = analyze(trace, read_expected(expected_path).args);
    INFO(trace.filename().string() << "\n" << analysis.output);
    CHECK(analysis.status == 0);
    CHECK(std::count(analysis.severities.begin(), analysis.severities.end(), "error") == 0);
  }
  CHECK(twins >= 9);
}
