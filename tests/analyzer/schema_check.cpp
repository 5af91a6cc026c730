#include "schema_check.hpp"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>
#include <rapidjson/schema.h>
#include <rapidjson/stringbuffer.h>

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>

namespace taskscope::test {

namespace {

std::string pointer_text(const rapidjson::Pointer& pointer) {
  rapidjson::StringBuffer buffer;
  pointer.StringifyUriFragment(buffer);
  return buffer.GetString();
}

const rapidjson::SchemaDocument& schema() {
  static const std::unique_ptr<rapidjson::SchemaDocument> document = [] {
    rapidjson::Document parsed;
    parsed.Parse(report_schema_text().c_str());
    if (parsed.HasParseError())
      throw std::runtime_error(std::string("docs/report.schema.json does not parse: ") +
                               rapidjson::GetParseError_En(parsed.GetParseError()));
    return std::make_unique<rapidjson::SchemaDocument>(parsed);
  }();
  return *document;
}

}  // namespace

const std::string& report_schema_text() {
  static const std::string text = [] {
    const std::string path = std::string(TASKSCOPE_SOURCE_DIR) + "/docs/report.schema.json";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read " + path);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }();
  return text;
}

std::string schema_violation(const std::string& json) {
  rapidjson::Document report;
  report.Parse(json.c_str(), json.size());
  if (report.HasParseError())
    return std::string("not JSON: ") + rapidjson::GetParseError_En(report.GetParseError()) +
           " at offset " + std::to_string(report.GetErrorOffset());
  rapidjson::SchemaValidator validator(schema());
  if (report.Accept(validator)) return "";
  return "at " + pointer_text(validator.GetInvalidDocumentPointer()) + ": keyword '" +
         validator.GetInvalidSchemaKeyword() + "' of schema " +
         pointer_text(validator.GetInvalidSchemaPointer());
}

}  // namespace taskscope::test
