# Writes smc's completion scripts: cmake -DSMC=BINARY -DBASH=FILE -DZSH=FILE -P completions.cmake
foreach(shell bash zsh)
  string(TOUPPER ${shell} var)
  execute_process(COMMAND ${SMC} completion ${shell} OUTPUT_FILE ${${var}} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "smc completion ${shell} failed: ${rc}")
  endif()
endforeach()
