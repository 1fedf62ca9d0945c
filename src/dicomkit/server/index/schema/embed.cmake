# Writes the numbered migrations SCHEMA_DIR/NNN_*.sql as C++ string constants (OUT), returned by
# dicomkit::server::index::FUNCTION() (default migrations), so the binary needs no files at run
# time. Run at configure time by server/index's CMake code.
if(NOT FUNCTION)
  set(FUNCTION migrations)
endif()
file(GLOB _sql LIST_DIRECTORIES false "${SCHEMA_DIR}/[0-9][0-9][0-9]_*.sql")
list(SORT _sql)
set(_body "// Generated from the migrations in ${SCHEMA_DIR}; do not edit.\n#include <dicomkit/server/index/schema/migrations.hpp>\n\nnamespace dicomkit::server::index {\n\nconst std::vector<Migration>& ${FUNCTION}() {\n    static const std::vector<Migration> m{\n")
foreach(_f ${_sql})
  get_filename_component(_name ${_f} NAME_WE)
  string(SUBSTRING ${_name} 0 3 _num)
  math(EXPR _num "${_num}")
  file(READ ${_f} _text)
  string(APPEND _body "        {${_num}, \"${_name}\", R\"dksql(${_text})dksql\"},\n")
endforeach()
string(APPEND _body "    };\n    return m;\n}\n\n}  // namespace dicomkit::server::index\n")
file(WRITE ${OUT}.tmp "${_body}")
configure_file(${OUT}.tmp ${OUT} COPYONLY)
