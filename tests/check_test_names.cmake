# Checks that every Catch2 test registered with ctest selects exactly the test
# case its name gives. catch_discover_tests registers "<exe>:<test name>" and
# runs "<exe> <escaped name>"; a name that Catch2's test-spec parser reads
# differently (a ';' splits it in two, a leading '~' excludes, a '*' matches
# many) would otherwise run nothing or the wrong tests and still pass.
#   cmake -DCTEST=ctest -DBUILD_DIR=<build tree> -P check_test_names.cmake
execute_process(COMMAND ${CTEST} --test-dir ${BUILD_DIR} --show-only=json-v1
                OUTPUT_VARIABLE listing RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "ctest --show-only failed (${status})")
endif()
string(JSON count LENGTH "${listing}" tests)
math(EXPR last "${count} - 1")
set(checked 0)
set(bad "")
foreach(i RANGE ${last})
  string(JSON name GET "${listing}" tests ${i} name)
  string(JSON argc ERROR_VARIABLE no_command LENGTH "${listing}" tests ${i} command)
  if(no_command OR argc LESS 2)
    continue()
  endif()
  string(JSON exe GET "${listing}" tests ${i} command 0)
  string(JSON spec GET "${listing}" tests ${i} command 1)
  get_filename_component(exe_name "${exe}" NAME)
  string(FIND "${name}" "${exe_name}:" at)
  if(NOT at EQUAL 0)
    continue()  # not a discovered Catch2 test
  endif()
  string(LENGTH "${exe_name}:" prefix_length)
  string(SUBSTRING "${name}" ${prefix_length} -1 case_name)
  execute_process(COMMAND ${exe} ${spec} --list-test-names-only
                  OUTPUT_VARIABLE selected)
  string(STRIP "${selected}" selected)
  if(NOT selected STREQUAL case_name)
    string(APPEND bad "\n  ${name}\n    selects: [${selected}]")
  endif()
  math(EXPR checked "${checked} + 1")
endforeach()
if(checked EQUAL 0)
  message(FATAL_ERROR "no discovered Catch2 test found in ${BUILD_DIR}")
endif()
if(bad)
  message(FATAL_ERROR "ctest names that do not select exactly their one test case:${bad}")
endif()
message(STATUS "${checked} ctest names each select exactly their one test case")
