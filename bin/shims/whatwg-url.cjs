// node-fetch (through @kubernetes/client-node) requires whatwg-url only as a fallback for Node's own
// URL (`Url.URL || whatwgUrl.URL`), which every supported Node.js has. The real package loads tr46's
// Unicode tables at start-up: a quarter of the command's bundle, parsed on every run for nothing.
exports.URL = URL;
exports.URLSearchParams = URLSearchParams;
