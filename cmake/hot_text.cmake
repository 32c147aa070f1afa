# vmterm_hot_text(target LIST file PROFILE name [FLAGS flag...]): the code a benchmark's runs
# execute, linked first in .text (vmterm-health and its TLS module, vmterm-serve).
#
# Why: the kernel maps a file's pages around each page fault (fault-around, 64 KiB), so code run
# once, scattered over megabytes of .text, is resident by the 64 KiB window. Every lib module is
# built with -ffunction-sections, so the linker can place each function by itself.
#
# How: the link uses the linker's own default script (ld --verbose, taken here with the link's
# kind: PIE or not, shared) with the LIST's input section descriptions written at the top of its
# .text, and writes a map (build/hot_text/<target>.map). One .text, as gdb, valgrind, perf and
# objdump -j .text expect; the list names input sections, so it also places code that is not in
# a function section of its own (static initialisers' .text.startup, the .text of crt files and of
# archives built without -ffunction-sections), which a list of function names cannot.
#
# The LIST (one input section description a line, `#` comments) is written by scripts/hot_text.py
# from callgrind profiles of the benchmark named by PROFILE (`scripts/hot_text.py build` rewrites
# every list; the manifest build/hot_text/<target>.txt tells it the output file, map and list).
# A stale list only costs memory: a line naming a section that is gone matches nothing, and a
# section the list misses lands in .text as before; a line that is not an input section
# description is dropped here with a warning, never handed to the linker; a missing list links
# in the usual order (and still writes the map, to make one from).
#
# Skipped (linked in the usual order): -DVMTERM_HOT_TEXT=OFF, sanitizer builds, targets not
# linked lean (vmterm_lean_link's option OFF: the Debian-style shared link), and linkers that
# show no default script (lld, gold). FLAGS: link flags that choose the default script's variant
# (-no-pie, -Wl,-z,now); -shared is added for libraries.
option(VMTERM_HOT_TEXT "link the code the benchmarks' runs execute first in .text (lean links only)" ON)

function(vmterm_hot_text target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "LIST;PROFILE" "FLAGS")
  if(NOT arg_LIST OR NOT arg_PROFILE)
    message(FATAL_ERROR "vmterm_hot_text(${target}): LIST and PROFILE are required")
  endif()
  get_target_property(lean ${target} VMTERM_LEAN_LINK)
  if(NOT VMTERM_HOT_TEXT OR VMTERM_SANITIZE OR NOT lean)
    return()
  endif()
  get_target_property(type ${target} TYPE)
  set(kind EXE)
  set(flags ${arg_FLAGS})
  if(type STREQUAL "MODULE_LIBRARY")
    set(kind MODULE)
    list(PREPEND flags -shared -fPIC)
  elseif(type STREQUAL "SHARED_LIBRARY")
    set(kind SHARED)
    list(PREPEND flags -shared -fPIC)
  endif()
  # The user's link flags too (-z now, -z relro choose the script's variant).
  string(TOUPPER "${CMAKE_BUILD_TYPE}" config)
  set(user_flags "${CMAKE_${kind}_LINKER_FLAGS} ${CMAKE_${kind}_LINKER_FLAGS_${config}}")
  separate_arguments(user_flags UNIX_COMMAND "${user_flags}")
  set(dir ${PROJECT_BINARY_DIR}/hot_text)
  file(WRITE ${dir}/probe.cpp "int main() { return 0; }\n")
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} ${user_flags} ${flags} -Wl,--verbose probe.cpp
                          -o ${target}.probe
    WORKING_DIRECTORY ${dir} OUTPUT_VARIABLE verbose ERROR_QUIET RESULT_VARIABLE rc)
  file(REMOVE ${dir}/${target}.probe)
  string(REGEX MATCH "\n=+\n(.*)\n=+\n" found "${verbose}")
  set(default "${CMAKE_MATCH_1}")
  string(REGEX MATCH "\n  \\.text[ ]*:[^\n]*\n  {\n" text_start "${default}")
  if(NOT rc EQUAL 0 OR NOT found OR NOT text_start)
    message(STATUS "${target}: the linker shows no default script with a .text section; its code is linked in the usual order")
    return()
  endif()

  set(list ${CMAKE_CURRENT_SOURCE_DIR}/${arg_LIST})
  set(lines "")
  if(EXISTS ${list})
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${list})
    file(STRINGS ${list} lines)
  else()
    # A file that does not exist is no configure dependency; its directory changes when it is made.
    get_filename_component(list_dir ${list} DIRECTORY)
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${list_dir})
    message(STATUS "${target}: no ${arg_LIST}; its code is linked in the usual order (scripts/hot_text.py writes it)")
  endif()
  set(hot "")
  set(count 0)
  foreach(line IN LISTS lines)
    string(STRIP "${line}" line)
    if(line STREQUAL "" OR line MATCHES "^#")
      continue()
    endif()
    # A file pattern (or *) and one section name: nothing the linker could read as a command.
    if(line MATCHES "^[-A-Za-z0-9_.*/:+~]+\\([-A-Za-z0-9_.$*]+\\)$")
      string(APPEND hot "    ${line}\n")
      math(EXPR count "${count} + 1")
    else()
      message(WARNING "${arg_LIST}: '${line}' is not an input section description (file(section)); "
                      "dropped. Rewrite the list with scripts/hot_text.py")
    endif()
  endforeach()
  string(REPLACE "${text_start}" "${text_start}    /* ${count} sections from ${arg_LIST} */\n${hot}"
         ordered "${default}")
  # Written only when it changes: the script is a dependency of the link.
  file(WRITE ${dir}/${target}.x.new "${ordered}")
  file(COPY_FILE ${dir}/${target}.x.new ${dir}/${target}.x ONLY_IF_DIFFERENT)
  file(REMOVE ${dir}/${target}.x.new)
  target_link_options(${target} PRIVATE -Wl,-T,${dir}/${target}.x -Wl,-Map,${dir}/${target}.map)
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${dir}/${target}.x)
  # What scripts/hot_text.py needs: the file name callgrind reports, the map, the list, and which
  # benchmark to profile.
  file(GENERATE OUTPUT ${dir}/${target}.txt CONTENT
       "file=$<TARGET_FILE_NAME:${target}>\nmap=${dir}/${target}.map\nlist=${list}\nprofile=${arg_PROFILE}\n")
  set_property(GLOBAL PROPERTY VMTERM_HOT_TEXT_${target} ON)
endfunction()
