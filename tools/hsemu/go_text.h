// Go's text renderings that headscale's error messages are made of, so the
// emulator's messages read byte for byte like headscale's: strconv.Quote
// (%q of a string), %q of a byte, and %T names of decoded JSON values.
#pragma once

#include <string>
#include <string_view>

namespace postured::hsemu {

// strconv.Quote: double quotes, Go escapes; valid UTF-8 is kept as is.
std::string goQuote(std::string_view text);
// %q of a byte (a rune below 256): single quotes, Go escapes.
std::string goQuoteByte(unsigned char c);

}  // namespace postured::hsemu
