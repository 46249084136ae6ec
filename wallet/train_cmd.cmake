# The train/replay/spec-hash CLI commands and the CLI's one progress bar (train,
# provider run, blob transfers); included from wallet/CMakeLists.txt and from
# scripts/gpu-check's kernels-only project, which has no wallet/ of its own.
add_library(vt_progress STATIC ${CMAKE_CURRENT_LIST_DIR}/progress_bar.cpp)
vt_strict(vt_progress)
add_library(vt_train_cli STATIC ${CMAKE_CURRENT_LIST_DIR}/train_cmd.cpp)
target_link_libraries(vt_train_cli PUBLIC vt_kernels vt_progress CLI11::CLI11 nlohmann_json::nlohmann_json)
vt_strict(vt_train_cli)
