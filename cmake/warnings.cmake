# vmterm_set_warnings(target): the project's warning set, applied per target rather than by
# editing global flag strings, so third-party code and generated files are left alone.
function(vmterm_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual)
  if(VMTERM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
