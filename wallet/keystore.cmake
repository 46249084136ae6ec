# The encrypted keystore library (Argon2id + XChaCha20-Poly1305 over BIP-340
# secrets) and the BIP-39 / BIP-32 keys behind them (hd_keys). Included from
# wallet/CMakeLists.txt, and from tests/wallet when the wallet folder does not
# define it.
add_library(vt_keystore STATIC ${CMAKE_SOURCE_DIR}/wallet/keystore.cpp ${CMAKE_SOURCE_DIR}/wallet/hd_keys.cpp)
target_link_libraries(vt_keystore PUBLIC vt_core PRIVATE nlohmann_json::nlohmann_json PkgConfig::SODIUM PkgConfig::SECP256K1)
vt_strict(vt_keystore)
