# Syscall number -> name for the build machine's architecture, generated from the
# kernel headers' __NR_* definitions (never typed by hand).
set(SYSCALL_HEADER_CANDIDATES
    /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}/asm/unistd_64.h
    /usr/include/asm/unistd_64.h
    /usr/include/asm-generic/unistd.h)
foreach(candidate ${SYSCALL_HEADER_CANDIDATES})
  if(EXISTS ${candidate})
    set(SYSCALL_HEADER ${candidate})
    break()
  endif()
endforeach()
if(NOT SYSCALL_HEADER)
  message(FATAL_ERROR "no asm/unistd_64.h or asm-generic/unistd.h: install linux-libc-dev")
endif()

file(STRINGS ${SYSCALL_HEADER} SYSCALL_LINES REGEX "^#define __NR_[a-z0-9_]+[ \t]+[0-9]+")
set(SYSCALL_TABLE "// Generated from ${SYSCALL_HEADER}; do not edit.\n")
foreach(line ${SYSCALL_LINES})
  string(REGEX REPLACE "^#define __NR_([a-z0-9_]+)[ \t]+([0-9]+).*" "{\\2, \"\\1\"},\n" entry "${line}")
  string(APPEND SYSCALL_TABLE "${entry}")
endforeach()
set(SYSCALL_TABLE_INC ${CMAKE_BINARY_DIR}/generated/syscall_table.inc)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/generated)
file(WRITE ${SYSCALL_TABLE_INC}.tmp "${SYSCALL_TABLE}")
configure_file(${SYSCALL_TABLE_INC}.tmp ${SYSCALL_TABLE_INC} COPYONLY)
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${SYSCALL_HEADER})
