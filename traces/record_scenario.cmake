# Records one scenario trace: runs PROGRAM (with --twin when TWIN is true),
# which writes its flight-recorder dump, then moves the dump to OUTPUT. A
# hanging scenario ends by the hang watchdog's abort or its own deadline, so the
# program's exit status is reported, not checked; a missing or empty trace is
# an error.
#   cmake -DPROGRAM=... -DOUTPUT=.../NAME.tscope -DTWIN=0|1 -P record_scenario.cmake
set(partial "${OUTPUT}.tmp")
file(REMOVE "${partial}")
set(arguments "${partial}")
if(TWIN)
  list(APPEND arguments --twin)
endif()
execute_process(COMMAND "${PROGRAM}" ${arguments}
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
