// Types for the vendored Yjs bundle, for the type check of static/app (jsconfig.json at the root).
// static/app/yjs.js imports the bundle by its URL path, which no module resolution can follow; the
// bundle is built from the same pinned packages this npm project installs (tests/test_vendor.py
// checks that), so it is typed by those packages' own declarations.
declare module '/static/vendor/yjs-*.bundle.js' {
  export * as Y from 'yjs'
  export { WebsocketProvider } from 'y-websocket'
  export * as encoding from 'lib0/encoding'
  export * as decoding from 'lib0/decoding'
  export * as awarenessProtocol from 'y-protocols/awareness'
}
