# Records the Asio scenario through the CLI: `taskscope record --hang-timeout 1s`
# (with --twin when TWIN is true). The hanging variant ends by the watchdog, so
# the status is reported, not checked; a missing or empty trace is an error.
#   cmake -DCLI=... -DPROGRAM=... -DOUTPUT=.../NAME.tscope -DTWIN=0|1 -P record.cmake
set(partial "${OUTPUT}.tmp")
file(REMOVE "${partial}")
set(arguments "${PROGRAM}")
if(TWIN)
  list(APPEND arguments --twin)
endif()
execute_process(COMMAND "${CLI}" record --hang-timeout 1s --timeout 30s -o "${partial}" -- ${arguments}
                RESULT_VARIABLE status OUTPUT_QUIET ERROR_VARIABLE errors TIMEOUT 60)
if(NOT EXISTS "${partial}")
  message(FATAL_ERROR "${PROGRAM} ${arguments}: wrote no trace (status ${status})\n${errors}")
endif()
file(SIZE "${partial}" size)
if(size EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} ${arguments}: wrote an empty trace (status ${status})")
endif()
file(RENAME "${partial}" "${OUTPUT}")
get_filename_component(name "${OUTPUT}" NAME)
message(STATUS "${name}: ${size} bytes (program status ${status})")
