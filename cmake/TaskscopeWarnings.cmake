# Warnings on our own code only (generated and third-party code excluded).
# TASKSCOPE_WERROR turns them into errors: on in CI and in scripts/, off by
# default so that a packager's newer compiler does not fail the build.
option(TASKSCOPE_WERROR "Treat warnings in taskscope's own code as errors" OFF)
function(taskscope_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  # GCC 12 at -O3 reports std::string's own inlined _M_replace (reached from
  # "text" + std::string) as an overlapping memcpy: a false -Wrestrict (GCC
  # PR 105329) in library code we cannot change.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_GREATER_EQUAL 12
     AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(TASKSCOPE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
