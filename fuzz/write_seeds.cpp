// Writes one valid input per fuzz target into DIR/<target>/, so the fuzzers
// start from the real formats: a checkpoint of the small spec's model, IDX
// image and label files, a signed transaction, a dispute record, a move, and a
// JSON-RPC call and batch (the job specs are copied from kernels/specs by
// fuzz/run and fuzz_regression). Usage: write_seeds DIR
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/keys.h"
#include "kernels/backend.h"
#include "kernels/mlp.h"
#include "kernels/safetensors.h"
#include "kernels/trainer.h"
#include "ledger/block.h"
#include "ledger/evidence.h"
#include "ledger/transaction.h"
#include "small_spec.h"
#include "verifier/dispute.h"

namespace fs = std::filesystem;
using namespace vt;

namespace {
void write(const fs::path& path, const std::vector<std::uint8_t>& bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_seeds DIR\n");
    return 2;
  }
  const fs::path dir = argv[1];
  auto backend = kernels::make_cpu_backend(1);
  kernels::Mlp model(fuzz::small_spec(), *backend);
  write(dir / "checkpoint" / "small.safetensors",
        kernels::encode_safetensors(
            kernels::make_checkpoint(fuzz::small_spec(), model.export_state())));

  // IDX images: magic 0x00000803, 2 images of 2x2.
  write(dir / "idx" / "images.idx",
        {0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8});
  write(dir / "idx" / "labels.idx", {0, 0, 8, 1, 0, 0, 0, 2, 3, 9});

  std::array<uint8_t, 32> secret{};
  secret[31] = 7;
  const SchnorrKey key = SchnorrKey::from_secret(secret).value();
  ledger::Transaction tx;
  tx.chain_id = "veritrain-devnet";
  tx.sender = key.pubkey();  // an address is the BIP-340 public key
  tx.nonce = 3;
  tx.fee = 1000;
  tx.msg = ledger::Transfer{Address{}, 12345};
  ledger::sign(tx, key);
  write(dir / "transaction" / "transfer.tx", ledger::encode(tx));
  Hash256 a{}, b{}, c{};
  a.fill(1);
  b.fill(2);
  c.fill(3);
  auto d = verifier::open_dispute(Address{}, key.pubkey(), 0, 100, a, b, c, 10, 20);
  if (d) write(dir / "transaction" / "dispute.bin", verifier::encode(d.value()));
  write(dir / "transaction" / "move.bin",
        verifier::encode(verifier::Move{Address{}, verifier::MoveKind::post_mid, a}));
  // Double-sign evidence (signatures are not checked by the decoder) and a
  // block that carries a transaction and that evidence, as peers send them.
  ledger::DoubleSign e;
  e.validator.fill(4);
  e.a.vote = {consensus::VoteType::Prevote, 9, 1, a, 2};
  e.b.vote = {consensus::VoteType::Prevote, 9, 1, std::nullopt, 2};
  write(dir / "transaction" / "evidence.bin", ledger::encode(e));
  ledger::Block block;
  block.header.chain_id = "veritrain-devnet";
  block.header.height = 10;
  block.txs.push_back(tx);
  block.evidence.push_back(e);
  write(dir / "transaction" / "block.bin", ledger::encode(block));
  const std::string call =
      R"({"jsonrpc":"2.0","id":1,"method":"fuzz_all","params":{"s":"x","i":7,"b":true,"o":{},"a":[1],"h":"00ff","m":"1000","x":null}})";
  const std::string batch =
      "[" + call + R"(,{"jsonrpc":"2.0","id":"2","method":"fuzz_all","params":["y",1]}])";
  write(dir / "rpc_request" / "call.json", std::vector<std::uint8_t>(call.begin(), call.end()));
  write(dir / "rpc_request" / "batch.json", std::vector<std::uint8_t>(batch.begin(), batch.end()));
  return 0;
}
