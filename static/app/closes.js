// What the app does when the server closes a live socket for good (docs/protocol.md, Close
// codes): one policy for the project's room (live.js) and the brainstorm rooms
// (brainstorm/rooms.js). y-websocket reconnects by itself after every other close; after a
// 4400-4499 close it stops and emits `closed`, and this module decides what happens next.
//
// Only the close code decides (and, after FORBIDDEN, the REST API's answer about access). The
// close reason is words for people: it is passed on to be shown, never compared.
import { CLOSE_CODES } from './contract.js'
import { refresh } from './api.js'

/** How long the app waits before reconnecting after RATE_LIMITED (docs/protocol.md says 2 s). */
export const RATE_LIMIT_RETRY_MS = 2000
/**
 * FORBIDDEN closes in a row, with no sync in between, after which access counts as gone even
 * if the REST API still grants it: the room refuses us for a reason REST does not know, and
 * reconnecting again would only be refused again.
 */
export const MAX_FORBIDDEN_RETRIES = 3
/** How long an access answer serves the other sockets that one revocation closed. */
export const ACCESS_ANSWER_MS = 2000

/**
 * @typedef {'viewer'|'writer'|null} Access the caller's access as REST reports it (null: none)
 * @typedef {'signed-out'|'revoked'|'outdated'|'closed'} EndCause why a room ended: the session
 *   cannot be refreshed (UNAUTHORIZED), access is gone (FORBIDDEN), this page writes an older
 *   document schema than the server's (CLIENT_OUTDATED: only a reload helps), or another
 *   permanent close
 * @typedef {{code: number, reason: string, cause: EndCause}} End
 */

/**
 * Share one access check between callers: concurrent ones wait for the same request, and the
 * answer is reused for `reuseMs` after it arrives. A revocation closes every socket of a
 * project at once (the board's room and its brainstorm rooms), and they all ask.
 * @param {() => Promise<Access>} check may reject (counts as no access)
 * @param {number} [reuseMs]
 * @returns {() => Promise<Access>}
 */
export function sharedAccessCheck(check, reuseMs = ACCESS_ANSWER_MS) {
  /** @type {{promise: Promise<Access>, at: number | null} | null} */
  let last = null
  return () => {
    if (!last || (last.at !== null && Date.now() - last.at > reuseMs)) {
      /** @type {{promise: Promise<Access>, at: number | null}} */
      const answer = {
        at: null,
        promise: check()
          .catch(() => null)
          .then((access) => {
            answer.at = Date.now()
            return access
          })
      }
      last = answer
    }
    return last.promise
  }
}

/**
 * Handle the permanent closes of `provider` for as long as it lives:
 * * UNAUTHORIZED: refresh the session, then reconnect; if it cannot be refreshed, end
 *   (`signed-out`);
 * * FORBIDDEN: ask `checkAccess`; no access ends the room (`revoked`), otherwise `onAccess` is
 *   told the access (a role change) and the room reconnects, to be checked afresh by the server
 *   (after MAX_FORBIDDEN_RETRIES such closes without a sync, it ends instead);
 * * RATE_LIMITED: reconnect after RATE_LIMIT_RETRY_MS;
 * * CLIENT_OUTDATED: end (`outdated`): the server was updated under this page, which would
 *   write the document in a form it no longer takes; reconnecting is refused again;
 * * any other: end (`closed`).
 * Nothing happens once `active()` turns false (the room was destroyed meanwhile).
 *
 * @param {import('./yjs.js').WebsocketProvider} provider
 * @param {{checkAccess?: () => Promise<Access>, onAccess?: (access: Access) => void,
 *   onEnd: (end: End) => void, active?: () => boolean}} hooks
 *   checkAccess: whether this room may still be opened (default: never, so FORBIDDEN ends it)
 */
export function handleCloses(provider, hooks) {
  const { checkAccess = async () => null, onAccess = () => {}, onEnd, active = () => true } = hooks
  let forbidden = 0
  provider.on('sync', (synced) => {
    if (synced) forbidden = 0
  })
  const reconnect = () => {
    if (active()) provider.connect()
  }
  /** @param {EndCause} cause @param {{code: number, reason: string}} close */
  const end = (cause, { code, reason }) => {
    if (active()) onEnd({ code, reason: reason || '', cause })
  }
  provider.on('closed', async (close) => {
    if (!active()) return
    if (close.code === CLOSE_CODES.UNAUTHORIZED) {
      if (await refresh()) reconnect()
      else end('signed-out', close)
    } else if (close.code === CLOSE_CODES.FORBIDDEN) {
      forbidden += 1
      const access = await checkAccess().catch(() => null)
      if (access === null || forbidden > MAX_FORBIDDEN_RETRIES) {
        end('revoked', close)
      } else if (active()) {
        onAccess(access)
        reconnect()
      }
    } else if (close.code === CLOSE_CODES.RATE_LIMITED) {
      setTimeout(reconnect, RATE_LIMIT_RETRY_MS)
    } else if (close.code === CLOSE_CODES.CLIENT_OUTDATED) {
      end('outdated', close)
    } else {
      end('closed', close)
    }
  })
}
