// The extra live rooms of a brainstorm (docs/brainstorm.md, Rooms): the server-owned snapshot
// room `{project}:brainstorm` (read-only for everyone) and a participant's private room for
// hidden notes. Each is one WebsocketProvider on its own Y.Doc, with no presence of its own
// (people's presence lives on the board's room).
import { WebsocketProvider } from '../yjs.js'
import { ensureFresh } from '../api.js'
import { MESSAGE_TYPES } from '../contract.js'
import { handleCloses } from '../closes.js'

/**
 * Open `room` on `doc`.
 *
 * Permanent closes are handled as for the board's room (closes.js): UNAUTHORIZED refreshes the
 * session and reconnects; FORBIDDEN reconnects when `checkAccess` says this room may still be
 * opened (a role changed, or the notes were revealed and the private room turned read-only),
 * otherwise the room ends; RATE_LIMITED retries after 2 s; any other ends the room.
 * y-websocket reconnects by itself after every other close.
 *
 * @param {string} room the room name (SessionOut.room / private_room)
 * @param {import('../yjs.js').Y.Doc} doc
 * @param {{onEnd?: (code: number, reason: string) => void,
 *   checkAccess?: () => Promise<import('../closes.js').Access>}} [opts]
 *   checkAccess: whether the user may still open this room (default: no, FORBIDDEN ends it)
 */
export function openRoom(room, doc, { onEnd = () => {}, checkAccess } = {}) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  const provider = new WebsocketProvider(`${scheme}://${location.host}/collab`, room, doc, {
    disableBc: true,
    connect: navigator.onLine !== false
  })
  // No presence here: it would show nobody anything and cost the server an awareness update.
  provider.awareness.setLocalState(null)
  // Only sent with ?ext=1, which these rooms do not ask for; harmless if a server sends them.
  provider.messageHandlers[MESSAGE_TYPES.SAVED] = () => {}
  provider.messageHandlers[MESSAGE_TYPES.NOTICE] = () => {}
  let ended = false
  handleCloses(provider, {
    checkAccess,
    onEnd: ({ code, reason }) => onEnd(code, reason),
    active: () => !ended
  })
  const online = async () => {
    await ensureFresh()
    if (!ended) provider.connect()
  }
  const offline = () => provider.disconnect()
  window.addEventListener('online', online)
  window.addEventListener('offline', offline)
  return {
    provider,
    destroy() {
      ended = true
      window.removeEventListener('online', online)
      window.removeEventListener('offline', offline)
      provider.destroy()
    }
  }
}
