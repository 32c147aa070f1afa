# vmterm_add_web_assets(<target> WEB_DIR <dir> SYMBOL <name> PAGE <url=relative-file>...
#                       NPM <url=path-inside-node_modules>...)
# Installs the page's npm dependencies from its package-lock.json into the build tree
# (npm ci; nothing third-party enters the repository), then compiles the page's own files and
# the named npm files into a static library defining
#   extern const vmterm::embedded_file <SYMBOL>[]; extern const std::size_t <SYMBOL>_count;
function(vmterm_add_web_assets target)
  cmake_parse_arguments(A "" "WEB_DIR;SYMBOL" "PAGE;NPM" ${ARGN})
  find_program(VMTERM_NPM npm)
  if(NOT VMTERM_NPM)
    vmterm_missing("npm (to install xterm.js for the terminal page)" "npm")
  endif()
  set(npm_dir ${CMAKE_CURRENT_BINARY_DIR}/${target}_npm)
  set(npm_stamp ${npm_dir}/node_modules/.package-lock.json)
  add_custom_command(OUTPUT ${npm_stamp}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${npm_dir}
    COMMAND ${CMAKE_COMMAND} -E copy ${A_WEB_DIR}/package.json ${A_WEB_DIR}/package-lock.json
            ${npm_dir}/
    COMMAND ${VMTERM_NPM} ci --no-audit --no-fund --ignore-scripts --loglevel=error
            --prefix ${npm_dir}
    DEPENDS ${A_WEB_DIR}/package.json ${A_WEB_DIR}/package-lock.json
    COMMENT "npm ci (${A_WEB_DIR}/package-lock.json)"
    VERBATIM)

  set(pairs "")
  set(depends "")
  foreach(item IN LISTS A_PAGE)
    string(REPLACE "=" ";" kv "${item}")
    list(GET kv 0 url)
    list(GET kv 1 file)
    list(APPEND pairs "${url}=${A_WEB_DIR}/${file}")
    list(APPEND depends ${A_WEB_DIR}/${file})
  endforeach()
  foreach(item IN LISTS A_NPM)
    string(REPLACE "=" ";" kv "${item}")
    list(GET kv 0 url)
    list(GET kv 1 file)
    list(APPEND pairs "${url}=${npm_dir}/node_modules/${file}")
  endforeach()
  set(list_file ${CMAKE_CURRENT_BINARY_DIR}/${target}_files.cmake)
  file(WRITE ${list_file} "set(FILES \"${pairs}\")\n")
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}.cpp)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${out} -DSYMBOL=${A_SYMBOL} -DLIST_FILE=${list_file}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
    DEPENDS ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake ${list_file} ${depends} ${npm_stamp}
    COMMENT "embedding the page into ${target}"
    VERBATIM)
  add_library(${target} STATIC ${out})
  target_link_libraries(${target} PUBLIC vmterm::core)
endfunction()
