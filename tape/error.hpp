#pragma once
// hypertape::Error: the one exception type the library throws for anything a user can get wrong.
//
// Every message names the operation and the operands involved, e.g.
//   "mul: shapes [3, 4] and [5] do not broadcast".
// fail(...) streams its arguments into the message, so call sites read like the message itself.
#include <sstream>
#include <stdexcept>
#include <string>

namespace hypertape {

class Error : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

template <class... Parts>
[[noreturn]] void fail(const Parts&... parts) {
    std::ostringstream message;
    (message << ... << parts);
    throw Error(message.str());
}

}  // namespace hypertape
