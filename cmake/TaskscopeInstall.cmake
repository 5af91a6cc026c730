# Installs libraries, headers, the CLI and a CMake package so that another project
# can `find_package(taskscope CONFIG REQUIRED)` and link taskscope::recorder.
include(CMakePackageConfigHelpers)

install(DIRECTORY format/include/ recorder/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
set(exported taskscope_format)
if(TARGET taskscope_recorder)
  list(APPEND exported taskscope_recorder)
endif()
if(TARGET taskscope_asio)
  install(DIRECTORY recorder/asio/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  list(APPEND exported taskscope_asio)
endif()
install(TARGETS ${exported} EXPORT taskscopeTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET taskscope_preload)
  install(TARGETS taskscope_preload LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
endif()
install(TARGETS taskscope RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(EXPORT taskscopeTargets NAMESPACE taskscope::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/taskscope)
configure_package_config_file(cmake/taskscopeConfig.cmake.in
        ${CMAKE_CURRENT_BINARY_DIR}/taskscopeConfig.cmake
        INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/taskscope)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/taskscopeConfigVersion.cmake
        COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/taskscopeConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/taskscopeConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/taskscope)
