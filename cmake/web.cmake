# The web dashboard: web/src bundled by esbuild (from web/node_modules, which
# scripts/bootstrap installs with `npm ci` from web/package-lock.json), then embedded.
set(WEB_DIR ${CMAKE_SOURCE_DIR}/web)
set(WEB_OUT ${CMAKE_BINARY_DIR}/web)
set(ESBUILD ${WEB_DIR}/node_modules/.bin/esbuild)
if(NOT EXISTS ${ESBUILD})
  message(FATAL_ERROR "${ESBUILD} is missing: run scripts/bootstrap (it runs npm ci in web/)")
endif()
file(GLOB WEB_SOURCES CONFIGURE_DEPENDS ${WEB_DIR}/src/*.js ${WEB_DIR}/src/*.css)
add_custom_command(
  OUTPUT ${WEB_OUT}/app.js ${WEB_OUT}/app.css
  COMMAND ${ESBUILD} ${WEB_DIR}/src/main.js --bundle --minify --format=iife --target=chrome100,firefox100,safari15
          --log-level=warning --outfile=${WEB_OUT}/app.js
  DEPENDS ${WEB_SOURCES} ${WEB_DIR}/package-lock.json
  WORKING_DIRECTORY ${WEB_DIR}
  COMMENT "Bundling the dashboard (esbuild)"
  VERBATIM)
set(WEB_ASSETS_CPP ${CMAKE_BINARY_DIR}/generated/web_assets.cpp)
set(WEB_FILES
  "/index.html=${WEB_DIR}/index.html"
  "/assets/app.js=${WEB_OUT}/app.js"
  "/assets/app.css=${WEB_OUT}/app.css"
  "/assets/favicon.svg=${WEB_DIR}/favicon.svg")
# "|" between the files (quoted by VERBATIM): a ";" list would split into arguments.
list(JOIN WEB_FILES "|" WEB_FILES_ARG)
add_custom_command(
  OUTPUT ${WEB_ASSETS_CPP}
  COMMAND ${CMAKE_COMMAND} "-DFILES=${WEB_FILES_ARG}" -DOUTPUT=${WEB_ASSETS_CPP} -P ${CMAKE_SOURCE_DIR}/cmake/embed_web.cmake
  DEPENDS ${WEB_OUT}/app.js ${WEB_OUT}/app.css ${WEB_DIR}/index.html ${WEB_DIR}/favicon.svg
          ${CMAKE_SOURCE_DIR}/cmake/embed_web.cmake
  COMMENT "Embedding the dashboard"
  VERBATIM)
