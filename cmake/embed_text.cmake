# Writes OUTPUT: a C++ file defining kscope::rules::default_rules_text() that returns
# INPUT's bytes. Hex bytes rather than a raw string, so no delimiter can clash.
file(READ ${INPUT} HEX HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," BYTES "${HEX}")
file(WRITE ${OUTPUT} "// Generated from ${INPUT}; do not edit.\n#include <string_view>\nnamespace kscope::rules {\nnamespace { const char kText[] = {${BYTES} 0}; }\nstd::string_view default_rules_text() { return {kText, sizeof kText - 1}; }\n}  // namespace kscope::rules\n")
