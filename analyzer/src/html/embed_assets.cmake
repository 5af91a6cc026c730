# Turns the HTML report's stylesheet and scripts (assets/) into a C++ header of
# string constants, so that the page needs no file at run time and the sources
# stay plain CSS and JavaScript (docs/html-report.md).
#   cmake -DOUTPUT=html_assets.hpp -DASSETS="kName=path;..." -P embed_assets.cmake
set(text "// Generated from analyzer/src/html/assets/ by embed_assets.cmake; do not edit.\n")
string(APPEND text "#pragma once\n\n#include <string_view>\n\nnamespace taskscope::analyzer::html {\n\n")
foreach(asset IN LISTS ASSETS)
  string(REPLACE "=" ";" parts "${asset}")
  list(GET parts 0 name)
  list(GET parts 1 path)
  file(READ "${path}" content)
  string(FIND "${content}" ")asset\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${path} contains the raw-string delimiter )asset\"")
  endif()
  string(APPEND text "inline constexpr std::string_view ${name} = R\"asset(${content})asset\";\n\n")
endforeach()
string(APPEND text "}  // namespace taskscope::analyzer::html\n")
file(WRITE "${OUTPUT}.tmp" "${text}")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
