// What the tests share: the server and credentials from the environment (tests/sdk/
// test_js_client.py sets them), and the npm packages from a node_modules folder outside this
// package (DTTOOLS_NODE_MODULES: the repository's tests/node_modules).
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

/**
 * An environment variable the test needs.
 *
 * @param {string} name
 * @returns {string}
 */
export function need(name) {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set: run these through tests/sdk/test_js_client.py`)
  return value
}

/**
 * Import an npm package's ES module entry from DTTOOLS_NODE_MODULES (the entry its
 * package.json exports for `import`, so that y-websocket and the test share one yjs).
 *
 * @param {string} name
 * @returns {Promise<any>}
 */
export async function importPackage(name) {
  const root = join(need('DTTOOLS_NODE_MODULES'), name)
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))
  const dot = manifest.exports?.['.'] ?? manifest.exports
  const entry =
    (typeof dot === 'string' ? dot : (dot?.import?.default ?? dot?.import ?? dot?.default)) ??
    manifest.module ??
    manifest.main
  return import(pathToFileURL(join(root, entry)).href)
}

/**
 * A fetch that records every request it sends (method and URL).
 *
 * @returns {{fetch: typeof fetch, requests: {method: string, url: string}[]}}
 */
export function recordingFetch() {
  /** @type {{method: string, url: string}[]} */
  const requests = []
  /** @type {typeof fetch} */
  const recording = (input, init) => {
    requests.push({ method: init?.method ?? 'GET', url: String(input) })
    return fetch(input, init)
  }
  return { fetch: recording, requests }
}
