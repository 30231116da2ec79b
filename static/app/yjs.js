// The vendored Yjs bundle (yjs, y-websocket, y-protocols, lib0), imported in this one place so
// that its versioned file name appears once. Rebuilt by scripts/vendor/build.sh.
export {
  Y,
  WebsocketProvider,
  encoding,
  decoding,
  awarenessProtocol
} from '/static/vendor/yjs-13.6.33.bundle.js'
