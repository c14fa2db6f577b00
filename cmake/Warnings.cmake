# Warnings for our own targets: -Wall -Wextra for host code, forwarded through nvcc with -Xcompiler.
# -Werror only when EXPRBERT_WERROR is ON (the Maven build turns it on; a foreign GPU host's newer compiler
# must not fail the one prepared check on a new warning).
option(EXPRBERT_WERROR "Treat warnings as errors" OFF)

function(exprbert_set_warnings target)
  set(host_flags -Wall -Wextra -Wno-unused-parameter)
  if(EXPRBERT_WERROR)
    list(APPEND host_flags -Werror)
  endif()
  target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:${host_flags}>)
  if(CMAKE_CUDA_COMPILER)
    list(JOIN host_flags "," joined)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=${joined}>)
    if(EXPRBERT_WERROR)
      target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CUDA>:--Werror=all-warnings>)
    endif()
  endif()
endfunction()
