# BPF build: vmlinux.h from the running kernel's BTF (never committed), then per probe
# clang -> <probe>.bpf.o -> bpftool skeleton header (which embeds the object's bytes).
find_program(CLANG_BPF NAMES clang clang-14 REQUIRED)
find_program(BPFTOOL NAMES bpftool REQUIRED PATHS /usr/sbin /usr/local/sbin)

set(KSCOPE_VMLINUX_BTF /sys/kernel/btf/vmlinux CACHE FILEPATH "kernel BTF used to generate vmlinux.h")
set(BPF_GEN_DIR ${CMAKE_BINARY_DIR}/bpf)
file(MAKE_DIRECTORY ${BPF_GEN_DIR})

if(NOT EXISTS ${KSCOPE_VMLINUX_BTF})
  message(FATAL_ERROR "kernel BTF not found at ${KSCOPE_VMLINUX_BTF}: kscope needs a kernel "
                      "built with CONFIG_DEBUG_INFO_BTF=y (5.8 or newer)")
endif()

add_custom_command(
  OUTPUT ${BPF_GEN_DIR}/vmlinux.h
  COMMAND ${BPFTOOL} btf dump file ${KSCOPE_VMLINUX_BTF} format c > ${BPF_GEN_DIR}/vmlinux.h.tmp
  COMMAND ${CMAKE_COMMAND} -E rename ${BPF_GEN_DIR}/vmlinux.h.tmp ${BPF_GEN_DIR}/vmlinux.h
  COMMENT "Generating vmlinux.h from ${KSCOPE_VMLINUX_BTF}"
  VERBATIM)
# One target owns vmlinux.h; every target with BPF objects depends on it, so parallel
# builds never generate it twice at once.
add_custom_target(vmlinux_h DEPENDS ${BPF_GEN_DIR}/vmlinux.h)

if(CMAKE_SYSTEM_PROCESSOR MATCHES "x86_64|AMD64")
  set(BPF_TARGET_ARCH x86)
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "aarch64|arm64")
  set(BPF_TARGET_ARCH arm64)
else()
  set(BPF_TARGET_ARCH ${CMAKE_SYSTEM_PROCESSOR})
endif()

file(GLOB BPF_LIB_HEADERS ${CMAKE_SOURCE_DIR}/bpf/lib/*.h)
file(GLOB BPF_ABI_HEADERS ${CMAKE_SOURCE_DIR}/include/kscope/abi/*.h)
set(KSCOPE_BPF_SKELETONS "")

# add_bpf_probe(name [SOURCE file]): bpf/probes/<name>.bpf.c unless SOURCE says otherwise.
function(add_bpf_probe name)
  cmake_parse_arguments(ARG "" "SOURCE" "" ${ARGN})
  set(src ${CMAKE_SOURCE_DIR}/bpf/probes/${name}.bpf.c)
  if(ARG_SOURCE)
    set(src ${ARG_SOURCE})
  endif()
  set(obj ${BPF_GEN_DIR}/${name}.bpf.o)
  set(skel ${BPF_GEN_DIR}/${name}.skel.h)
  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${CLANG_BPF} -target bpf -g -O2 -Wall -Werror
            -D__TARGET_ARCH_${BPF_TARGET_ARCH} -D__KSCOPE_BPF__
            -I${BPF_GEN_DIR} -I${CMAKE_SOURCE_DIR}/bpf -I${CMAKE_SOURCE_DIR}/include
            -idirafter /usr/include/${CMAKE_LIBRARY_ARCHITECTURE}
            -c ${src} -o ${obj}
    DEPENDS ${src} ${BPF_GEN_DIR}/vmlinux.h ${BPF_LIB_HEADERS} ${BPF_ABI_HEADERS}
    COMMENT "BPF ${name}.bpf.c"
    VERBATIM)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL} gen skeleton ${obj} name ${name}_bpf > ${skel}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
    DEPENDS ${obj}
    COMMENT "skeleton ${name}.skel.h"
    VERBATIM)
  set(KSCOPE_BPF_SKELETONS ${KSCOPE_BPF_SKELETONS} ${skel} PARENT_SCOPE)
  # A target may only depend on outputs made in its own directory: callers outside the
  # top level use this one name.
  set(BPF_SKELETON_${name} ${skel} PARENT_SCOPE)
endfunction()
