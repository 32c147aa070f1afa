# vmterm_lean_link(target OPTION name DOC text [STATIC lib...]): links a tool lean, the way
# its resident memory and start-up want (tests/bench/health, beat, queue, serve): unreferenced
# sections dropped (--gc-sections), relative relocations packed (DT_RELR, glibc >= 2.36), the C++
# runtime static (a shared libstdc++ is ~1.6 MiB resident and ~3,300 symbol look-ups at start)
# and the STATIC libraries taken from their archives (cmake/link_static.sh). The option `name`
# (default ON) turns it off: everything is then linked shared, as Debian links its packages, and
# a security update of a STATIC library (OpenSSL) applies without a rebuild. Sanitizer builds
# always link shared: the sanitizers replace operator new in the shared runtime.
include(CheckLinkerFlag)
check_linker_flag(CXX "-Wl,-z,pack-relative-relocs" VMTERM_HAVE_PACK_RELATIVE_RELOCS)

function(vmterm_lean_link target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "OPTION;DOC" "STATIC")
  option(${arg_OPTION} "${arg_DOC}" ON)
  if(NOT ${arg_OPTION} OR VMTERM_SANITIZE)
    return()
  endif()
  target_link_options(${target} PRIVATE -Wl,--gc-sections -static-libstdc++ -static-libgcc)
  # vmterm_hot_text (cmake/hot_text.cmake) orders the code of lean links only.
  set_property(TARGET ${target} PROPERTY VMTERM_LEAN_LINK ON)
  if(VMTERM_HAVE_PACK_RELATIVE_RELOCS)
    target_link_options(${target} PRIVATE -Wl,-z,pack-relative-relocs)
  endif()
  if(arg_STATIC)
    list(JOIN arg_STATIC "," libs)
    set_property(TARGET ${target} PROPERTY
      RULE_LAUNCH_LINK "${PROJECT_SOURCE_DIR}/cmake/link_static.sh ${libs}")
  endif()
endfunction()
