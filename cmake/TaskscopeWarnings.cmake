# Warnings on our own code only (generated and third-party code excluded).
# TASKSCOPE_WERROR turns them into errors: on in CI and in scripts/, off by
# default so that a packager's newer compiler does not fail the build.
option(TASKSCOPE_WERROR "Treat warnings in taskscope's own code as errors" OFF)
function(taskscope_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra)
  if(TASKSCOPE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
