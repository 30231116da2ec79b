// The entry of static/vendor/yjs-<version>.bundle.js (built by build.sh). One bundle, so the
// browser loads exactly one copy of yjs: two copies break Yjs' instanceof checks.
export * as Y from 'yjs'
export { WebsocketProvider } from 'y-websocket'
export * as awarenessProtocol from 'y-protocols/awareness'
export * as encoding from 'lib0/encoding'
export * as decoding from 'lib0/decoding'
