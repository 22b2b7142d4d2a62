#include "util/result.h"

#include <cstdlib>
#include <cstring>

namespace kscope {

Error errno_error(const std::string& what, int err) {
    err = std::abs(err);
    return Error{what + ": " + std::strerror(err), err};
}

}  // namespace kscope
