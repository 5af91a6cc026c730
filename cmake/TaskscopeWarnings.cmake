# Warnings as errors on our own code only (generated and third-party code excluded).
function(taskscope_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
endfunction()
