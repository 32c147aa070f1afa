# VMTERM_SANITIZE: '' (off), 'address,undefined' or 'thread'. Applied to every target, since a
# sanitizer must see the whole program; UBSan findings abort so that a test fails on them.
if(VMTERM_SANITIZE)
  if(NOT VMTERM_SANITIZE MATCHES "^(address|undefined|address,undefined|undefined,address|thread)$")
    message(FATAL_ERROR "VMTERM_SANITIZE='${VMTERM_SANITIZE}': expected 'address,undefined' or 'thread'")
  endif()
  set(_vmterm_san_flags -fsanitize=${VMTERM_SANITIZE} -fno-omit-frame-pointer)
  if(VMTERM_SANITIZE MATCHES "undefined")
    list(APPEND _vmterm_san_flags -fno-sanitize-recover=undefined)
  endif()
  if(VMTERM_SANITIZE STREQUAL "thread" AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # GCC 12 warns (-Wtsan) that TSan does not model std::atomic_thread_fence, which Asio's
    # fenced blocks use; its scheduler's mutex is what orders handlers, and TSan sees that.
    list(APPEND _vmterm_san_flags -Wno-tsan)
  endif()
  add_compile_options(${_vmterm_san_flags})
  add_link_options(-fsanitize=${VMTERM_SANITIZE})
  message(STATUS "vmterm: building with -fsanitize=${VMTERM_SANITIZE}")
endif()
