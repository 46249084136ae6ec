# The train/replay/spec-hash CLI commands; included from wallet/CMakeLists.txt.
add_library(vt_train_cli STATIC ${CMAKE_CURRENT_LIST_DIR}/train_cmd.cpp)
target_link_libraries(vt_train_cli PUBLIC vt_kernels vt_progress CLI11::CLI11 nlohmann_json::nlohmann_json)
vt_strict(vt_train_cli)
