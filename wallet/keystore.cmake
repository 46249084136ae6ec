# The encrypted keystore library (Argon2id + XChaCha20-Poly1305 over BIP-340
# secrets). Included from wallet/CMakeLists.txt, and from tests/wallet when the
# wallet folder does not define it.
add_library(vt_keystore STATIC ${CMAKE_SOURCE_DIR}/wallet/keystore.cpp)
target_link_libraries(vt_keystore PUBLIC vt_core PRIVATE nlohmann_json::nlohmann_json PkgConfig::SODIUM)
vt_strict(vt_keystore)
