// The web dashboard's routes: each view's URL answers with the page (the views are drawn
// in the browser), /assets/* with the bundled files. They need no bearer token (they hold
// no data; the page asks for the token and sends it with every API call).
#pragma once

#include <string>
#include <vector>

namespace httplib {
class Server;
}

namespace kscope {

// The views' paths: /, /events, /alerts, /network, /profile, /performance, /probes.
const std::vector<std::string>& dashboard_views();
// Whether path is a view or an embedded asset (served without a token).
bool is_dashboard_path(const std::string& path);
void add_dashboard_routes(httplib::Server& server);

}  // namespace kscope
