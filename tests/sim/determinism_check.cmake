# Runs a range of natrium-sim seeds twice, in separate processes (so address- or
# hash-order dependence would show), and compares every trace hash.
# cmake -DSIM=path -DSEEDS=A..B [-DSTEPS=N] [-DEXTRA=--js] [-DEXTRA2=--reconfig] -P determinism_check.cmake
set(steps_arg)
if(DEFINED STEPS)
  set(steps_arg --steps=${STEPS})
endif()
foreach(run 1 2)
  execute_process(COMMAND ${SIM} --seeds=${SEEDS} ${steps_arg} ${EXTRA} ${EXTRA2}
                  OUTPUT_VARIABLE out${run} RESULT_VARIABLE rc${run})
  if(NOT rc${run} EQUAL 0)
    message(FATAL_ERROR "run ${run} of seeds ${SEEDS} failed:\n${out${run}}")
  endif()
  string(REGEX MATCHALL "seed=[0-9]+ hash=[0-9a-f]+" hashes${run} "${out${run}}")
  if(hashes${run} STREQUAL "")
    message(FATAL_ERROR "run ${run} printed no hash:\n${out${run}}")
  endif()
endforeach()
if(NOT hashes1 STREQUAL hashes2)
  message(FATAL_ERROR "not deterministic:\n  first run:  ${hashes1}\n  second run: ${hashes2}")
endif()
message(STATUS "same hashes twice: ${hashes1}")
