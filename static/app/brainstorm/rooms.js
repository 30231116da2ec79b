// The extra live rooms of a brainstorm (docs/brainstorm.md, Rooms): the server-owned snapshot
// room `{project}:brainstorm` (read-only for everyone) and a participant's private room for
// hidden notes. Each is one WebsocketProvider on its own Y.Doc, with no presence of its own
// (people's presence lives on the board's room).
import { WebsocketProvider } from '../yjs.js'
import { refresh, ensureFresh } from '../api.js'

const MESSAGE_SAVED = 100
const MESSAGE_NOTICE = 101

/**
 * Open `room` on `doc`.
 *
 * Close codes: 4401 refreshes the session and reconnects; 4403 reconnects only when the
 * server's reason says so (`the notes are revealed: reconnect`, `role changed: reconnect`),
 * otherwise access is gone (the board's own connection reports that); 4429 retries after 2 s;
 * any other 44xx ends the room. y-websocket reconnects by itself after every other close.
 *
 * @param {string} room the room name (SessionOut.room / private_room)
 * @param {import('../yjs.js').Y.Doc} doc
 * @param {{onEnd?: (code: number, reason: string) => void}} [opts]
 */
export function openRoom (room, doc, { onEnd = () => {} } = {}) {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws'
  const provider = new WebsocketProvider(`${scheme}://${location.host}/collab`, room, doc, {
    disableBc: true,
    connect: navigator.onLine !== false
  })
  // No presence here: it would show nobody anything and cost the server an awareness update.
  provider.awareness.setLocalState(null)
  // Only sent with ?ext=1, which these rooms do not ask for; harmless if a server sends them.
  provider.messageHandlers[MESSAGE_SAVED] = () => {}
  provider.messageHandlers[MESSAGE_NOTICE] = () => {}
  let ended = false
  provider.on('closed', async ({ code, reason }) => {
    if (ended) return
    if (code === 4401) {
      if (await refresh()) provider.connect()
      else onEnd(code, reason)
    } else if (code === 4403 && /reconnect/i.test(reason || '')) {
      provider.connect()
    } else if (code === 4429) {
      setTimeout(() => { if (!ended) provider.connect() }, 2000)
    } else {
      onEnd(code, reason)
    }
  })
  const online = async () => { await ensureFresh(); if (!ended) provider.connect() }
  const offline = () => provider.disconnect()
  window.addEventListener('online', online)
  window.addEventListener('offline', offline)
  return {
    provider,
    destroy () {
      ended = true
      window.removeEventListener('online', online)
      window.removeEventListener('offline', offline)
      provider.destroy()
    }
  }
}
