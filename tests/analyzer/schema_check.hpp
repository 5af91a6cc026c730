// Validation of JSON reports against docs/report.schema.json (JSON Schema
// draft-04, checked with RapidJSON's SchemaValidator). Script::analyze() and
// write_trace() run every report the analyzer tests produce through it, so a
// field renamed or dropped in any finding kind fails the suite.
#pragma once

#include <string>

namespace taskscope::test {

// "" when `json` parses and validates; else what is wrong and where (the
// instance's JSON pointer, the schema keyword and the schema's pointer).
std::string schema_violation(const std::string& json);

// The schema as text, for tests that inspect it.
const std::string& report_schema_text();

}  // namespace taskscope::test
