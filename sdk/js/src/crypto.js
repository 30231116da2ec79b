// WebCrypto wherever the client runs: the global `crypto` of browsers and Node 19+, or
// node:crypto's `webcrypto` on Node 18 (where the global needs a flag).

/** @type {Promise<Crypto> | null} */
let found = null

/**
 * The WebCrypto object (`getRandomValues`, `randomUUID`, `subtle`).
 *
 * @returns {Promise<Crypto>}
 */
export function webcrypto() {
  if (found === null) {
    const global = globalThis.crypto
    if (global?.subtle !== undefined) {
      found = Promise.resolve(global)
    } else {
      const name = 'node:crypto' // a variable: bundlers for the browser leave it alone
      found = import(name).then((module) => /** @type {Crypto} */ (module.webcrypto))
    }
  }
  return found
}

/**
 * A random UUID (version 4), such as an Idempotency-Key or a new artifact id.
 *
 * @returns {Promise<string>}
 */
export async function randomUUID() {
  return (await webcrypto()).randomUUID()
}
