// Binary Merkle root over a list of 32-byte leaves (transaction roots, receipts).
// Leaves and inner nodes are domain-tagged so a leaf can never pose as a node;
// an odd node is promoted unchanged (no duplication, so no CVE-2012-2459 ambiguity).
#pragma once

#include <vector>

#include "core/bytes.h"

namespace vt {

// Root of an empty list is 32 zero bytes.
Hash256 merkle_root(const std::vector<Hash256>& leaves);

}  // namespace vt
