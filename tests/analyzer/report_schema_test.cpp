// docs/report.schema.json: every report of the committed corpus validates
// against it (as `taskscope analyze --format json` prints it), the schema is
// strict (no field may go missing or be renamed), and a report with any field
// removed or renamed is rejected. The reports of the synthetic scripts and of
// the trace files the other analyzer tests write are validated as they are
// made (script.hpp, trace_file.hpp).
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "run_cli.hpp"
#include "schema_check.hpp"

namespace taskscope::test {

namespace fs = std::filesystem;

namespace {

// Every committed trace under traces/, sorted.
std::vector<fs::path> corpus_traces() {
  std::vector<fs::path> traces;
  for (const auto& entry :
       fs::recursive_directory_iterator(fs::path(TASKSCOPE_SOURCE_DIR) / "traces"))
    if (entry.path().extension() == ".tscope") traces.push_back(entry.path());
  std::sort(traces.begin(), traces.end());
  return traces;
}

// The extra `analyze` arguments of a corpus trace ("args ..." in NAME.expected).
std::string corpus_args(const fs::path& trace) {
  fs::path expected = trace;
  expected.replace_extension(".expected");
  std::ifstream in(expected);
  for (std::string line; std::getline(in, line);)
    if (line.rfind("args ", 0) == 0) return line.substr(5);
  return "";
}

std::string corpus_report(const fs::path& trace) {
  const auto result =
      testing::run_cli("analyze --format json '" + trace.string() + "' " + corpus_args(trace));
  INFO(result.err);
  REQUIRE((result.status == 0 || result.status == 1));
  return result.out;
}

std::string to_text(const rapidjson::Value& value) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
  value.Accept(writer);
  return buffer.GetString();
}

// Calls `visit(object, member name, path)` for each member of each object in
// `value`, once per field path (array indices read "*").
template <typename Visit>
void each_field(rapidjson::Value& value, const std::string& path, std::set<std::string>& seen,
                Visit&& visit) {
  if (value.IsArray()) {
    for (auto& item : value.GetArray()) each_field(item, path + "/*", seen, visit);
  } else if (value.IsObject()) {
    std::vector<std::string> names;
    for (auto& member : value.GetObject()) names.emplace_back(member.name.GetString());
    for (const std::string& name : names) {
      const std::string field = path + "/" + name;
      if (seen.insert(field).second) visit(value, name, field);
      each_field(value[name.c_str()], field, seen, visit);
    }
  }
}

}  // namespace

TEST_CASE("report schema: every corpus report validates against docs/report.schema.json",
          "[report][schema]") {
  const auto traces = corpus_traces();
  REQUIRE(traces.size() >= 18);  // nine scenarios and their twins
  size_t findings = 0, wait_edges = 0;
  for (const fs::path& trace : traces) {
    const std::string report = corpus_report(trace);
    INFO(trace.filename().string() << "\n" << report);
    CHECK(schema_violation(report) == "");
    rapidjson::Document doc;
    doc.Parse(report.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    for (const auto& finding : doc["findings"].GetArray()) {
      ++findings;
      wait_edges += finding["wait_edges"].Size();
    }
  }
  // The corpus exercises the data, not only empty arrays.
  CHECK(findings > 0);
  CHECK(wait_edges > 0);
}

TEST_CASE("report schema: every object lists all its fields as required and admits no other",
          "[report][schema]") {
  rapidjson::Document schema;
  schema.Parse(report_schema_text().c_str());
  REQUIRE_FALSE(schema.HasParseError());
  std::vector<std::pair<std::string, const rapidjson::Value*>> objects{{"(root)", &schema}};
  for (const auto& definition : schema["definitions"].GetObject())
    if (definition.value.HasMember("properties"))
      objects.emplace_back(definition.name.GetString(), &definition.value);
  REQUIRE(objects.size() >= 12);
  for (const auto& [name, object] : objects) {
    INFO(name);
    REQUIRE(object->HasMember("additionalProperties"));
    CHECK((*object)["additionalProperties"].IsFalse());
    std::set<std::string> properties, required;
    for (const auto& property : (*object)["properties"].GetObject())
      properties.insert(property.name.GetString());
    for (const auto& field : (*object)["required"].GetArray()) required.insert(field.GetString());
    CHECK(required == properties);
  }
}

TEST_CASE("report schema: a report with any field removed or renamed is rejected",
          "[report][schema]") {
  // The service's channel-full cycle has every kind of record: agents with spawn
  // chains and holds, a channel with its state, wait edges with locations.
  const fs::path trace = fs::path(TASKSCOPE_SOURCE_DIR) / "traces/service/service.tscope";
  const std::string report = corpus_report(trace);
  REQUIRE(schema_violation(report) == "");
  rapidjson::Document doc;
  doc.Parse(report.c_str());
  std::set<std::string> seen;
  std::vector<std::string> accepted_without, accepted_renamed;
  each_field(doc, "", seen,
             [&](rapidjson::Value& object, const std::string& name, const std::string& path) {
               rapidjson::Value removed(rapidjson::kNullType);
               removed.CopyFrom(object[name.c_str()], doc.GetAllocator());
               object.RemoveMember(name.c_str());
               if (schema_violation(to_text(doc)).empty()) accepted_without.push_back(path);
               rapidjson::Value renamed((name + "_renamed").c_str(), doc.GetAllocator());
               rapidjson::Value copy(removed, doc.GetAllocator());
               object.AddMember(renamed, copy, doc.GetAllocator());
               if (schema_violation(to_text(doc)).empty()) accepted_renamed.push_back(path);
               object.RemoveMember((name + "_renamed").c_str());
               rapidjson::Value key(name.c_str(), doc.GetAllocator());
               object.AddMember(key, removed, doc.GetAllocator());
             });
  CAPTURE(accepted_without, accepted_renamed);
  // Fields of every level were tried: the finding's, its agents' spawn chains,
  // its channel's state, its wait edges' locations.
  CHECK(seen.count("/findings/*/agents/*/spawn_chain/*/name") == 1);
  CHECK(seen.count("/findings/*/resources/*/channel/capacity") == 1);
  CHECK(seen.count("/findings/*/wait_edges/*/location/line") == 1);
  CHECK(seen.size() >= 60);
  CHECK(accepted_without.empty());
  CHECK(accepted_renamed.empty());
  CHECK(schema_violation(to_text(doc)) == "");  // restored
}

TEST_CASE("report schema: a wrong type or an unknown kind is rejected", "[report][schema]") {
  rapidjson::Document doc;
  const std::string report =
      corpus_report(fs::path(TASKSCOPE_SOURCE_DIR) / "traces/abba/abba.tscope");
  doc.Parse(report.c_str());
  REQUIRE(doc["findings"].Size() > 0);
  auto& finding = doc["findings"][0];
  REQUIRE(schema_violation(to_text(doc)) == "");
  finding["kind"].SetString("deadlock_maybe");
  CHECK(schema_violation(to_text(doc)) != "");
  finding["kind"].SetString("deadlock");
  finding["since_ns"].SetString("0.42 s");
  CHECK(schema_violation(to_text(doc)) != "");
  finding["since_ns"].SetInt64(420);
  REQUIRE(finding["wait_edges"].Size() > 0);
  finding["wait_edges"][0]["agent"].SetUint64(3);  // a bare id instead of {id, name}
  CHECK(schema_violation(to_text(doc)) != "");
  CHECK(schema_violation("{\"schema\": \"taskscope.report/1\"}") != "");
  CHECK(schema_violation("not json") != "");
}

}  // namespace taskscope::test
