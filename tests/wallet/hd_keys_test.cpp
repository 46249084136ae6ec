// BIP-39 and BIP-32 (wallet/hd_keys.h) against their published test vectors:
// every English vector of the BIP-39 reference implementation
// (trezor/python-mnemonic vectors.json at b57a5ad, passphrase "TREZOR":
// entropy -> words -> seed -> the BIP-32 master key of its xprv; the same 24
// agree with Debian's python3-mnemonic 0.19) and BIP-32's test vector 1 (the
// private key at each step of m/0'/1/2'/2/1000000000, from the xprv strings
// the BIP lists). A mistyped, unknown, missing or reordered word is refused.
#include "wallet/hd_keys.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "core/bytes.h"

namespace vt {
namespace {

struct Bip39Vector {
  const char* entropy;
  const char* mnemonic;
  const char* seed;    // passphrase "TREZOR"
  const char* master;  // the private key in the vector's xprv (BIP-32 m of the seed)
};

const Bip39Vector kBip39[] = {
    {"00000000000000000000000000000000",
     "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
     "about",
     "c55257c360c07c72029aebc1b53c05ed0362ada38ead3e3e9efa3708e53495531f09a6987599d18264c1e1c92f2cf"
     "141630c7a3c4ab7c81b2f001698e7463b04",
     "cbedc75b0d6412c85c79bc13875112ef912fd1e756631b5a00330866f22ff184"},
    {"7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
     "legal winner thank year wave sausage worth useful legal winner thank yellow",
     "2e8905819b8723fe2c1d161860e5ee1830318dbf49a83bd451cfb8440c28bd6fa457fe1296106559a3c80937a1c10"
     "69be3a3a5bd381ee6260e8d9739fce1f607",
     "dddda5cdef032caf0b966bb1c7d2a8836e827aaa6480e9067080a075656d3228"},
    {"80808080808080808080808080808080",
     "letter advice cage absurd amount doctor acoustic avoid letter advice cage above",
     "d71de856f81a8acc65e6fc851a38d4d7ec216fd0796d0a6827a3ad6ed5511a30fa280f12eb2e47ed2ac03b5c462a0"
     "358d18d69fe4f985ec81778c1b370b652a8",
     "2fd0c70b975d9a38f84fba956ed795075fe43a85a45336143fe855551f1356db"},
    {"ffffffffffffffffffffffffffffffff", "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo wrong",
     "ac27495480225222079d7be181583751e86f571027b0497b5b5d11218e0a8a13332572917f0f8e5a589620c6f15b1"
     "1c61dee327651a14c34e18231052e48c069",
     "e1330e46e88f1c65cc1e228a16e3f0b94a316ae4fcfda1df4996b85c70d7b909"},
    {"000000000000000000000000000000000000000000000000",
     "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
     "abandon abandon abandon abandon abandon abandon agent",
     "035895f2f481b1b0f01fcf8c289c794660b289981a78f8106447707fdd9666ca06da5a9a565181599b79f53b844d8"
     "a71dd9f439c52a3d7b3e8a79c906ac845fa",
     "410bbd9109b987e9e078ec6035745fa05515fda018214013153a5e6ed671d1b2"},
    {"7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
     "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth "
     "useful legal will",
     "f2b94508732bcbacbcc020faefecfc89feafa6649a5491b8c952cede496c214a0c7b3c392d168748f2d4a612bada0"
     "753b52a1c7ac53c1e93abd5c6320b9e95dd",
     "b3226e9690ec49ce0cefe1c28b340d129779f2933857186400d92e0e2449f398"},
    {"808080808080808080808080808080808080808080808080",
     "letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount "
     "doctor acoustic avoid letter always",
     "107d7c02a5aa6f38c58083ff74f04c607c2d2c0ecc55501dadd72d025b751bc27fe913ffb796f841c49b1d33b610c"
     "f0e91d3aa239027f5e99fe4ce9e5088cd65",
     "fa8d0cde12d29eebecac474e4927e52cb80613e009f4208dc1e887b7c00c4fcf"},
    {"ffffffffffffffffffffffffffffffffffffffffffffffff",
     "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo when",
     "0cd6e5d827bb62eb8fc1e262254223817fd068a74b5b449cc2f667c3f1f985a76379b43348d952e2265b4cd129090"
     "758b3e3c2c49103b5051aac2eaeb890a528",
     "2786d73ac9c0261e01880df13e2751c89d3ac9f0cbdfd93fff342f122f80d04a"},
    {"0000000000000000000000000000000000000000000000000000000000000000",
     "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
     "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
     "abandon art",
     "bda85446c68413707090a52022edd26a1c9462295029f2e60cd7c4f2bbd3097170af7a4d73245cafa9c3cca8d561a"
     "7c3de6f5d4a10be8ed2a5e608d68f92fcc8",
     "c8b4073ccfcc63475c3d5202c6594484ee4e77b867cde3c3b46432fd71b467ae"},
    {"7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f7f",
     "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth "
     "useful legal winner thank year wave sausage worth title",
     "bc09fca1804f7e69da93c2f2028eb238c227f2e9dda30cd63699232578480a4021b146ad717fbb7e451ce9eb835f4"
     "3620bf5c514db0f8add49f5d121449d3e87",
     "fe743fd5f203af53ccd9568df27f6d09d7f756a21ae9cd6135506844a90f45cf"},
    {"8080808080808080808080808080808080808080808080808080808080808080",
     "letter advice cage absurd amount doctor acoustic avoid letter advice cage absurd amount "
     "doctor acoustic avoid letter advice cage absurd amount doctor acoustic bless",
     "c0c519bd0e91a2ed54357d9d1ebef6f5af218a153624cf4f2da911a0ed8f7a09e2ef61af0aca007096df430022f7a"
     "2b6fb91661a9589097069720d015e4e982f",
     "af8b72038eef1f2c1ab6ce2ddbb50d149f744396b04ced94e7bf38d2ff14ebd9"},
    {"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
     "zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo "
     "vote",
     "dd48c104698c30cfe2b6142103248622fb7bb0ff692eebb00089b32d22484e1613912f0a5b694407be899ffd31ed3"
     "992c456cdf60f5d4564b8ba3f05a69890ad",
     "40c1cf7c7d5fcd6a4b1f8460efb62a47c3680e4c378d70e6ffa5b5baa310efac"},
    {"9e885d952ad362caeb4efe34a8e91bd2",
     "ozone drill grab fiber curtain grace pudding thank cruise elder eight picnic",
     "274ddc525802f7c828d8ef7ddbcdc5304e87ac3535913611fbbfa986d0c9e5476c91689f9c8a54fd55bd38606aa6a"
     "8595ad213d4c9c9f9aca3fb217069a41028",
     "ac0164daefba477910d503a14743787982a118ca53adbc0044561b0088bd2e53"},
    {"6610b25967cdcca9d59875f5cb50b0ea75433311869e930b",
     "gravity machine north sort system female filter attitude volume fold club stay feature "
     "office ecology stable narrow fog",
     "628c3827a8823298ee685db84f55caa34b5cc195a778e52d45f59bcf75aba68e4d7590e101dc414bc1bbd5737666f"
     "bbef35d1f1903953b66624f910feef245ac",
     "0bf8f75e9eb03c1fe723da7e30cae8d267a9adf4091dc8140868cbbf16f650df"},
    {"68a79eaca2324873eacc50cb9c6eca8cc68ea5d936f98787c60c7ebc74e6ce7c",
     "hamster diagram private dutch cause delay private meat slide toddler razor book happy fancy "
     "gospel tennis maple dilemma loan word shrug inflict delay length",
     "64c87cde7e12ecf6704ab95bb1408bef047c22db4cc7491c4271d170a1b213d20b385bc1588d9c7b38f1b39d41566"
     "5b8a9030c9ec653d75e65f847d8fc1fc440",
     "f2a26d6881b5d3bbdc4e16f1339f345d688eb129b5f5a602cfb1ab9db09218a0"},
    {"c0ba5a8e914111210f2bd131f3d5e08d",
     "scheme spot photo card baby mountain device kick cradle pact join borrow",
     "ea725895aaae8d4c1cf682c1bfd2d358d52ed9f0f0591131b559e2724bb234fca05aa9c02c57407e04ee9dc3b454a"
     "a63fbff483a8b11de949624b9f1831a9612",
     "4ff56dc2209441bb4be12a366816727c343d5fd0e12c004505fe270ae3819e10"},
    {"6d9be1ee6ebd27a258115aad99b7317b9c8d28b6d76431c3",
     "horn tenant knee talent sponsor spell gate clip pulse soap slush warm silver nephew swap "
     "uncle crack brave",
     "fd579828af3da1d32544ce4db5c73d53fc8acc4ddb1e3b251a31179cdb71e853c56d2fcb11aed39898ce6c34b10b5"
     "382772db8796e52837b54468aeb312cfc3d",
     "489f1bafdb0c9468aa153f54d9326f3504919484323190dbd5dd32c10f4d7587"},
    {"9f6a2878b2520799a44ef18bc7df394e7061a224d2c33cd015b157d746869863",
     "panda eyebrow bullet gorilla call smoke muffin taste mesh discover soft ostrich alcohol "
     "speed nation flash devote level hobby quick inner drive ghost inside",
     "72be8e052fc4919d2adf28d5306b5474b0069df35b02303de8c1729c9538dbb6fc2d731d5f832193cd9fb6aeecbc4"
     "69594a70e3dd50811b5067f3b88b28c3e8d",
     "ea8667131075ad759ed74127dba8ab373da4a3f65f057ecd420ece1694e44330"},
    {"23db8160a31d3e0dca3688ed941adbf3",
     "cat swing flag economy stadium alone churn speed unique patch report train",
     "deb5f45449e615feff5640f2e49f933ff51895de3b4381832b3139941c57b59205a42480c52175b6efcffaa58a250"
     "3887c1e8b363a707256bdd2b587b46541f5",
     "430efb10b6d3c065239eca4bc81fb49180651aeb0d536d689432de2d2d48034f"},
    {"8197a4a47f0425faeaa69deebc05ca29c0a5b5cc76ceacc0",
     "light rule cinnamon wrap drastic word pride squirrel upgrade then income fatal apart sustain "
     "crack supply proud access",
     "4cbdff1ca2db800fd61cae72a57475fdc6bab03e441fd63f96dabd1f183ef5b782925f00105f318309a7e9c3ea696"
     "7c7801e46c8a58082674c860a37b93eda02",
     "ae24b4f0967f28aa39341834b79532c0079c0ed5557b592675516c98f2c18850"},
    {"066dca1a2bb7e8a1db2832148ce9933eea0f3ac9548d793112d9a95c9407efad",
     "all hour make first leader extend hole alien behind guard gospel lava path output census "
     "museum junior mass reopen famous sing advance salt reform",
     "26e975ec644423f4a4c4f4215ef09b4bd7ef924e85d1d17c4cf3f136c2863cf6df0a475045652c57eb5fb41513ca2"
     "a2d67722b77e954b4b3fc11f7590449191d",
     "b91171c99f7097fd754b48f2521133a1e0a694b86ea5de6bba60045b0f254c61"},
    {"f30f8c1da665478f49b001d94c5fc452",
     "vessel ladder alter error federal sibling chat ability sun glass valve picture",
     "2aaa9242daafcee6aa9d7269f17d4efe271e1b9a529178d7dc139cd18747090bf9d60295d0ce74309a78852a9caad"
     "f0af48aae1c6253839624076224374bc63f",
     "dd22914cf6b4086123a487e82abe565eba0b1c0f1ba794a945d974182812c793"},
    {"c10ec20dc3cd9f652c7fac2f1230f7a3c828389a14392f05",
     "scissors invite lock maple supreme raw rapid void congress muscle digital elegant little "
     "brisk hair mango congress clump",
     "7b4a10be9d98e6cba265566db7f136718e1398c71cb581e1b2f464cac1ceedf4f3e274dc270003c670ad8d02c4558"
     "b2f8e39edea2775c9e232c7cb798b069e88",
     "6d7c8d14d5e949647c9a3bf85344f9e40e82bff96789965acbf83bb66a7f9e5d"},
    {"f585c11aec520db57dd353c69554b21a89b20fb0650966fa0a9d6f74fd989d8f",
     "void come effort suffer camp survey warrior heavy shoot primary clutch crush open amazing "
     "screen patrol group space point ten exist slush involve unfold",
     "01f5bced59dec48e362f2c45b5de68b9fd6c92c6634f44d6d40aab69056506f0e35524a518034ddc1192e1dacd32c"
     "1ed3eaa3c3b131c88ed8e7e54c49a5d0998",
     "679bf92c04cf16307053cbed33784f3c4266b362bf5f3d7ee13bed6f2719743c"},
};

std::string hex(ByteView b) {
  return to_hex(b);
}

}  // namespace

TEST_CASE("BIP-39: the reference vectors, entropy to words to seed to BIP-32 master key") {
  for (const Bip39Vector& v : kBip39) {
    CAPTURE(v.mnemonic);
    const Bytes entropy = from_hex(v.entropy).value();
    CHECK(mnemonic_from_entropy(entropy) == v.mnemonic);
    auto back = entropy_from_mnemonic(v.mnemonic);
    REQUIRE(back.ok());
    CHECK(hex(back.value()) == v.entropy);
    auto seed = mnemonic_seed(v.mnemonic, "TREZOR");
    REQUIRE(seed.ok());
    CHECK(hex(ByteView(seed->data(), seed->size())) == v.seed);
    auto m = bip32_secret(ByteView(seed->data(), seed->size()), {});
    REQUIRE(m.ok());
    CHECK(hex(ByteView(m->data(), m->size())) == v.master);
  }
}

TEST_CASE("BIP-39: words are read however they are spaced or cased, and checked") {
  const std::string words = kBip39[12].mnemonic;
  std::string shouted = "  ";  // upper case, tabs and a newline between the words
  for (char ch : words) shouted += ch == ' ' ? std::string(" \t ") : std::string(1, ch - 'a' + 'A');
  shouted += "\n";
  auto spaced = entropy_from_mnemonic(shouted);
  REQUIRE(spaced.ok());
  CHECK(hex(spaced.value()) == kBip39[12].entropy);
  CHECK(canonical_mnemonic(shouted) == words);
  auto err = [](const std::string& m) {
    auto r = entropy_from_mnemonic(m);
    REQUIRE_FALSE(r.ok());
    return r.error();
  };
  // The checksum catches a swapped pair and a wrong last word.
  const auto space = words.find(' ');
  const auto second = words.find(' ', space + 1);
  const std::string swapped = words.substr(space + 1, second - space - 1) + " " +
                              words.substr(0, space) + words.substr(second);
  CHECK(err(swapped).find("checksum") != std::string::npos);
  CHECK(err("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon "
            "abandon abandon")
            .find("checksum") != std::string::npos);
  CHECK(err(words + "x").find("is not on the BIP-39 English list") != std::string::npos);
  CHECK(err(words.substr(0, words.rfind(' '))).find("has 11") != std::string::npos);
  CHECK(err("").find("has 0") != std::string::npos);
  CHECK_FALSE(mnemonic_seed(words, "caf\xc3\xa9").ok());  // a non-ASCII passphrase is refused
}

TEST_CASE("BIP-32: test vector 1, private keys along m/0'/1/2'/2/1000000000") {
  const Bytes seed = from_hex("000102030405060708090a0b0c0d0e0f").value();
  const std::vector<uint32_t> path = {kHardened | 0, 1, kHardened | 2, 2, 1000000000};
  // The last 32 bytes of each xprv the BIP lists (m, m/0H, m/0H/1, ...).
  const char* expected[] = {
      "e8f32e723decf4051aefac8e2c93c9c5b214313817cdb01a1494b917c8436b35",
      "edb2e14f9ee77d26dd93b4ecede8d16ed408ce149b6cd80b0715a2d911a0afea",
      "3c6cb8d0f6a264c91ea8b5030fadaa8e538b020f0a387421a12de9319dc93368",
      "cbce0d719ecf7431d88e6a89fa1483e02e35092af60c042b1df2ff59fa424dca",
      "0f479245fb19a38a1954c5c7c0ebab2f9bdfd96a17563ef28a6a4b1a2a764ef4",
      "471b76e389e528d6de6d816857e012c5455051cad6660850e58372a6c3e6e7c8",
  };
  for (size_t depth = 0; depth <= path.size(); ++depth) {
    CAPTURE(depth);
    auto k = bip32_secret(seed, std::span<const uint32_t>(path.data(), depth));
    REQUIRE(k.ok());
    CHECK(hex(ByteView(k->data(), k->size())) == expected[depth]);
  }
}

TEST_CASE("account keys: one mnemonic, one key; another mnemonic, another key") {
  auto a = account_secret_from_mnemonic(kBip39[12].mnemonic);
  auto b = account_secret_from_mnemonic(canonical_mnemonic(kBip39[12].mnemonic));
  auto c = account_secret_from_mnemonic(kBip39[15].mnemonic);
  REQUIRE((a.ok() && b.ok() && c.ok()));
  CHECK(a.value() == b.value());
  CHECK(a.value() != c.value());
  // The account key is the BIP-32 derivation along kAccountPath of the seed (empty passphrase).
  auto seed = mnemonic_seed(kBip39[12].mnemonic, "");
  REQUIRE(seed.ok());
  CHECK(bip32_secret(ByteView(seed->data(), seed->size()), kAccountPath).value() == a.value());
  CHECK_FALSE(account_secret_from_mnemonic("zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo zoo").ok());
}

}  // namespace vt
