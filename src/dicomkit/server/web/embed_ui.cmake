# Writes every file under UI_DIR as bytes into the C++ source OUT (the table of ui_files.hpp's
# detail::embedded_files): ui/X is served as /ui/X, with a strong ETag from the SHA-256 of the
# bytes. Run at build time by src/dicomkit/CMakeLists.txt whenever a file of ui/ changes.
# cmake -DUI_DIR=... -DOUT=... -P embed_ui.cmake
file(GLOB_RECURSE _files LIST_DIRECTORIES false RELATIVE "${UI_DIR}" "${UI_DIR}/*")
list(SORT _files)
set(_data "")
set(_table "")
set(_n 0)
string(REPEAT "0x[0-9a-f][0-9a-f]," 32 _line)  # CMake's regular expressions have no {n}
foreach(_rel ${_files})
  if(_rel MATCHES "(^|/)\\." OR _rel MATCHES "~$")
    continue()  # hidden files and editors' backups
  endif()
  file(READ "${UI_DIR}/${_rel}" _hex HEX)
  file(SHA256 "${UI_DIR}/${_rel}" _sha)
  file(SIZE "${UI_DIR}/${_rel}" _size)
  string(SUBSTRING "${_sha}" 0 20 _sha)
  # 0x.. per byte, 32 to a line, and a 0 after the last so that no array is empty.
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," _bytes "${_hex}")
  string(REGEX REPLACE "(${_line})" "\\1\n" _bytes "${_bytes}")
  string(APPEND _data "// ${_rel}\nconstexpr unsigned char f${_n}[] = {\n${_bytes}0};\n")
  string(APPEND _table "    {\"/ui/${_rel}\", f${_n}, ${_size}, \"\\\"${_sha}\\\"\"},\n")
  math(EXPR _n "${_n} + 1")
endforeach()
if(_n EQUAL 0)
  message(FATAL_ERROR "embed_ui.cmake: no files in ${UI_DIR}")
endif()
file(WRITE "${OUT}.tmp" "// Generated from ${UI_DIR} by embed_ui.cmake; do not edit.
#include <dicomkit/server/web/ui_files.hpp>

namespace dicomkit::server::web::detail {

namespace {
${_data}}  // namespace

const EmbeddedFile embedded_files[] = {
${_table}};
const std::size_t embedded_file_count = ${_n};

}  // namespace dicomkit::server::web::detail
")
configure_file("${OUT}.tmp" "${OUT}" COPYONLY)
file(REMOVE "${OUT}.tmp")
