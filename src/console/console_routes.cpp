#include "console/console_routes.h"

#include "console/console_assets.h"

namespace postured::console {

namespace {

constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; "
    "base-uri 'none'; form-action 'self'";

http::Handler serve(const EmbeddedAsset& asset) {
  return [&asset](const http::Request&, const http::PathParams&) {
    http::Response res;
    res.status = 200;
    res.contentType = std::string(asset.contentType);
    res.body = std::string(asset.body);
    res.headers = {{"Content-Security-Policy", std::string(kContentSecurityPolicy)},
                   {"X-Content-Type-Options", "nosniff"},
                   {"Referrer-Policy", "no-referrer"},
                   {"Cache-Control", "no-cache"}};  // unversioned names: revalidate after an upgrade
    return res;
  };
}

}  // namespace

void registerConsoleRoutes(http::Router& router) {
  for (const auto& asset : consoleAssets()) {
    router.add("GET", "/console/" + std::string(asset.path), serve(asset));
    if (asset.path == "index.html") router.add("GET", "/", serve(asset));
  }
}

}  // namespace postured::console
