# write_if_changed(PATH CONTENT): writes CONTENT to PATH unless PATH already
# holds exactly that, so that a regenerated file that did not change does not
# make its dependents rebuild. For the embedding scripts (cmake -P).
function(write_if_changed path content)
  if(EXISTS "${path}")
    file(READ "${path}" existing)
    if(existing STREQUAL content)
      return()
    endif()
  endif()
  file(WRITE "${path}" "${content}")
endfunction()
