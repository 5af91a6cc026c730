# Records one scenario trace: runs PROGRAM (with --twin when TWIN is true),
# which writes its flight-recorder dump, then moves the dump to OUTPUT. With
# CLI, the program is recorded through `CLI record --hang-timeout 1s` instead
# (a program linked with taskscope::asio, say). A hanging scenario ends by the
# hang watchdog or its own deadline, so the exit status is reported, not
# checked; a missing or empty trace is an error.
#   cmake [-DCLI=...] -DPROGRAM=... -DOUTPUT=.../NAME.tscope -DTWIN=0|1 -P record_scenario.cmake
set(partial "${OUTPUT}.tmp")
file(REMOVE "${partial}")
if(CLI)
  set(command "${CLI}" record --hang-timeout 1s --timeout 30s -o "${partial}" -- "${PROGRAM}")
else()
  set(command "${PROGRAM}" "${partial}")
endif()
set(arguments "")
if(TWIN)
  list(APPEND arguments --twin)
endif()
execute_process(COMMAND ${command} ${arguments}
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
