#include "node/rpc_methods.h"

#include "rpc/method_table.h"

namespace vt::node {

void register_rpc_methods(rpc::MethodTable& t, Node& node) {
  // The order here is the order of rpc_discover and docs/rpc.md.
  register_chain_methods(t, node);
  register_net_methods(t, node);
  register_state_methods(t, node);
  register_tx_methods(t, node);
  register_blob_methods(t, node);
}

}  // namespace vt::node
