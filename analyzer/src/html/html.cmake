# The HTML reports (taskscope report, diff --format html): its CSS and JavaScript
# are embedded at build time into a generated header, and cycle graphs are laid
# out by Graphviz (libgvc). Included from analyzer/CMakeLists.txt.
set(html_dir ${CMAKE_CURRENT_SOURCE_DIR}/src/html)
set(html_generated ${CMAKE_CURRENT_BINARY_DIR}/generated/html/html_assets.hpp)
set(html_assets
  kReportCss=${html_dir}/assets/report.css
  kErrorHookJs=${html_dir}/assets/error_hook.js
  kSortableJs=${html_dir}/assets/sortable.js
  kReportJs=${html_dir}/assets/report.js)
set(html_asset_files)
foreach(asset IN LISTS html_assets)
  string(REGEX REPLACE "^[^=]*=" "" path "${asset}")
  list(APPEND html_asset_files ${path})
endforeach()
add_custom_command(
  OUTPUT ${html_generated}
  COMMAND ${CMAKE_COMMAND} -DOUTPUT=${html_generated} "-DASSETS=${html_assets}"
          -P ${html_dir}/embed_assets.cmake
  DEPENDS ${html_asset_files} ${html_dir}/embed_assets.cmake
  COMMENT "Embedding the HTML report's CSS and JavaScript"
  VERBATIM)
target_sources(taskscope_analyzer PRIVATE ${html_generated})
target_include_directories(taskscope_analyzer PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/generated)
pkg_check_modules(LIBGVC REQUIRED IMPORTED_TARGET libgvc libcgraph)
target_link_libraries(taskscope_analyzer PRIVATE PkgConfig::LIBGVC)
