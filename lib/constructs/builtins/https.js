// The Lambda bundle's node:https, handed over as it is (see CHECKER_BUILTIN_ALIASES).
module.exports = process.getBuiltinModule('node:https');
