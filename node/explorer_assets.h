// The web explorer's files (node/explorer/), compiled into the daemon by
// node/explorer/embed.cmake so that the node serves them at / with nothing on
// disk. Read-only static data: safe from any thread.
#pragma once

#include <span>
#include <string_view>

namespace vt::node {

struct ExplorerAsset {
  std::string_view path;          // URL path, e.g. "/explorer.js"
  std::string_view content_type;  // e.g. "text/javascript; charset=utf-8"
  std::string_view body;
};

std::span<const ExplorerAsset> explorer_assets();

}  // namespace vt::node
