// The Lambda bundle's node:fs/promises: `fs/promises` meets the alias for `fs`, which leads here.
module.exports = process.getBuiltinModule('node:fs/promises');
