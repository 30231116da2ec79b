// Render a root Y.Map of artifacts as a keyed list: build each item once, then update only the
// items (and fields) that Yjs events touched.
import { Y } from './yjs.js'
import { str } from './schema.js'

/**
 * Watch the artifacts of `root`: `added(id, map)` for each one now and later,
 * `changed(id, map, keys)` with the top-level fields touched, `removed(id)`.
 * @returns {() => void} stop watching
 */
export function watchCollection(root, { added, changed, removed }) {
  root.forEach((value, id) => {
    if (value instanceof Y.Map) added(id, value)
  })
  const handler = (events) => {
    /** @type {Map<string, Set<string>>} */
    const touched = new Map()
    const fresh = new Set()
    for (const event of events) {
      if (event.target === root) {
        event.changes.keys.forEach((change, id) => {
          if (change.action !== 'add') removed(id)
          const value = root.get(id)
          if (change.action !== 'delete' && value instanceof Y.Map) {
            added(id, value)
            fresh.add(id)
          }
        })
      }
    }
    for (const event of events) {
      if (event.target === root) continue
      const [id, key] = event.path
      if (fresh.has(id)) continue
      let keys = touched.get(id)
      if (!keys) touched.set(id, (keys = new Set()))
      if (key !== undefined) keys.add(String(key))
      else event.changes.keys.forEach((_c, k) => keys.add(k))
    }
    touched.forEach((keys, id) => {
      const value = root.get(id)
      if (value instanceof Y.Map) changed(id, value, keys)
    })
  }
  root.observeDeep(handler)
  return () => root.unobserveDeep(handler)
}

/**
 * @typedef {{el: HTMLElement, update?: (keys: Set<string>) => void, destroy?: () => void}} Card
 */

/**
 * Keep `container` filled with one card per artifact of `root`, oldest first.
 * @template {Card} C what the caller's cards carry (methods of its own)
 * @param {Y.Map<any>} root
 * @param {HTMLElement} container
 * @param {(id: string, map: Y.Map<any>) => C} makeCard
 * @param {{empty?: HTMLElement, onChange?: () => void, filter?: (map: Y.Map<any>) => boolean}} [opts]
 */
export function cardList(root, container, makeCard, opts = {}) {
  /** @type {Map<string, C & {createdAt: string}>} */
  const cards = new Map()
  const showEmpty = () => {
    if (opts.empty) opts.empty.hidden = cards.size > 0
    if (opts.onChange) opts.onChange()
  }
  const place = (card) => {
    // insert before the first card that is newer (cards are few; a linear scan is fine)
    for (const other of /** @type {HTMLCollectionOf<HTMLElement>} */ (container.children)) {
      const created = other.dataset.createdAt || ''
      if (created > card.createdAt) {
        container.insertBefore(card.el, other)
        return
      }
    }
    container.append(card.el)
  }
  const add = (id, map) => {
    if (opts.filter && !opts.filter(map)) return
    const card = { ...makeCard(id, map), createdAt: str(map, 'createdAt') }
    card.el.dataset.createdAt = card.createdAt
    card.el.dataset.id = id
    cards.set(id, card)
    place(card)
  }
  const remove = (id) => {
    const card = cards.get(id)
    if (!card) return
    cards.delete(id)
    card.el.remove()
    if (card.destroy) card.destroy()
  }
  const stop = watchCollection(root, {
    added: (id, map) => {
      remove(id)
      add(id, map)
      showEmpty()
    },
    changed: (id, map, keys) => {
      const card = cards.get(id)
      if (opts.filter && Boolean(card) !== opts.filter(map)) {
        remove(id)
        add(id, map)
      } else if (card && card.update) {
        card.update(keys)
      }
      showEmpty()
    },
    removed: (id) => {
      remove(id)
      showEmpty()
    }
  })
  showEmpty()
  return {
    cards,
    destroy() {
      stop()
      for (const id of Array.from(cards.keys())) remove(id)
    }
  }
}
