# Install rules and the Debian package (cpack -G DEB): the five tools in bin/, their man pages,
# the systemd units (vmterm-serve, vmterm-worker@ for several workers, vmterm-beat,
# vmterm-health + .timer) running as the dedicated user vmterm with sandboxing, and
# /etc/vmterm/{vmterm.env,beat-schedule.toml}. The terminal page's assets are compiled into
# vmterm-serve. Tested by tests/e2e/package (contents, systemd-analyze verify, dpkg --root).
include(GNUInstallDirs)
# `cpack` and `make install` install what is built; they never build everything (tests included).
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

foreach(tool IN ITEMS vmterm-serve vmterm-worker vmterm-beat vmterm-health vmterm-trace)
  if(TARGET ${tool})
    install(TARGETS ${tool} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tools)
  endif()
endforeach()

file(GLOB _vmterm_man1 ${PROJECT_SOURCE_DIR}/man/*.1)
file(GLOB _vmterm_man7 ${PROJECT_SOURCE_DIR}/man/*.7)
install(FILES ${_vmterm_man1} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT tools)
install(FILES ${_vmterm_man7} DESTINATION ${CMAKE_INSTALL_MANDIR}/man7 COMPONENT tools)

# Units and settings: under /lib/systemd/system and /etc whatever the prefix (Debian's places).
set(VMTERM_SYSTEMD_UNIT_DIR "/lib/systemd/system" CACHE PATH "where the systemd units go")
set(VMTERM_SYSCONF_DIR "/etc/vmterm" CACHE PATH "where vmterm.env and the schedule go")
install(DIRECTORY ${PROJECT_SOURCE_DIR}/packaging/systemd/ DESTINATION ${VMTERM_SYSTEMD_UNIT_DIR}
        COMPONENT services)
install(FILES ${PROJECT_SOURCE_DIR}/packaging/vmterm.env
              ${PROJECT_SOURCE_DIR}/scripts/beat-schedule.toml
        DESTINATION ${VMTERM_SYSCONF_DIR} COMPONENT services)

set(CPACK_PACKAGE_NAME vmterm)
set(CPACK_PACKAGE_VENDOR "vmterm")
set(CPACK_PACKAGE_CONTACT "vmterm maintainers <vmterm@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
# The run-time libraries (Debian 12 names), and adduser for the postinst's user.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6, libstdc++6, libhiredis0.14, libssh2-1, libssl3, zlib1g, tzdata, adduser")
# libgrpc++1.51: for lib/vmterm/libvmterm_otlp_grpc.so, which only OTLP/gRPC export loads.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "redis-server, libgrpc++1.51")
# conffiles: dpkg keeps an admin's edits of /etc/vmterm/vmterm.env and the schedule.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/packaging/debian/postinst
                                       ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
                                       ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
