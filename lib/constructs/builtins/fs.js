// The Lambda bundle's node:fs, handed over as it is (see CHECKER_BUILTIN_ALIASES).
module.exports = process.getBuiltinModule('node:fs');
