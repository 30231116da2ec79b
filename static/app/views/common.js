// Pieces shared by the phase views: sections, cards, delete buttons, option lists.
import { h, newId, announce, batched, toast } from '../dom.js'
import { deleteArtifact, entries, str } from '../schema.js'
import { cardList } from '../collection.js'
import { t } from '../i18n.js'

/**
 * A phase section: heading, optional create form, and a card grid kept in sync with `root`.
 * @template {import('../collection.js').Card} C what the view's cards carry (methods of its own)
 * @param {{title: string, form?: HTMLElement|null, emptyText: string, root: any,
 *   makeCard: (id: string, map: any) => C, className?: string}} opts
 */
export function artifactSection(opts) {
  const headingId = newId('sec')
  const grid = h('div', {
    class: `cards ${opts.className || ''}`,
    role: 'list',
    'aria-labelledby': headingId
  })
  const empty = h('p', { class: 'empty', text: opts.emptyText })
  const list = cardList(opts.root, grid, opts.makeCard, { empty })
  const el = h(
    'section',
    { class: 'phase-section', 'aria-labelledby': headingId },
    h('h2', { id: headingId, text: opts.title }),
    opts.form ? h('div', { class: 'panel create-panel' }, opts.form) : null,
    empty,
    grid
  )
  return { el, destroy: list.destroy, list }
}

/**
 * A card element: an <article> in the grid, named by `name()` for assistive tech.
 * @param {string} kind e.g. "Persona" (its class: card-persona; never shown)
 * @param {() => string} name current title of the artifact
 * @param {() => string} [untitled] the title when `name()` is empty, in the current language
 */
export function card(kind, name, untitled = () => t('common.untitled')) {
  const titleId = newId('card')
  const title = h('h3', { id: titleId, class: 'card-title' })
  const el = h('article', {
    class: `card card-${kind.toLowerCase().replace(/\W+/g, '-')}`,
    role: 'listitem',
    'aria-labelledby': titleId
  })
  const rename = () => {
    title.textContent = name() || untitled()
  }
  rename()
  return { el, title, rename, titleId }
}

/**
 * A delete button for an artifact; deleting cleans up references (schema rules).
 * @param {any} live
 * @param {string} root
 * @param {string} id
 * @param {() => string} label what is deleted ("persona Ana"), in the current language
 */
export function deleteButton(live, root, id, label) {
  // (deleted() below says so, visibly, with an Undo button)
  const button = h('button', {
    type: 'button',
    class: 'ghost danger small',
    text: t('common.delete'),
    'aria-label': t('common.delete_named', { name: label() })
  })
  button.addEventListener('click', () => {
    const what = label()
    if (live.writeStep(() => deleteArtifact(live.doc, root, id))) deleted(live, what)
  })
  return button
}

/**
 * [id, label] options for a select of the artifacts of `root`.
 * @param {import('../live.js').LiveProject} live
 * @param {string} root
 * @param {(map: any) => string} labelOf
 * @returns {Array<[string, string]>}
 */
export function optionsOf(live, root, labelOf) {
  return entries(live.doc, root).map(([id, map]) => [
    id,
    truncate(labelOf(map) || t('common.untitled_option'), 60)
  ])
}

/** @param {string} text @param {number} max */
export function truncate(text, max) {
  const chars = Array.from(text)
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text
}

/** Call `fn` (once per task) whenever anything in `root` changes; returns a stop function. */
export function onRootChange(root, fn) {
  const handler = batched(fn)
  root.observeDeep(handler)
  return () => root.unobserveDeep(handler)
}

/** A persona's POV sentence: "user needs need because insight". */
export function povSentence(map) {
  const insight = str(map, 'insight')
  const values = { user: str(map, 'user') || '…', need: str(map, 'need') || '…', insight }
  return insight ? t('define.pov_sentence_because', values) : t('define.pov_sentence', values)
}

/**
 * Say that something was deleted, visibly and to screen readers, with an Undo button (the
 * same as Ctrl+Z: the last change made here).
 * @param {{undo: () => void}} live
 * @param {string} what what was deleted, as people read it ("persona Ana")
 * @param {string} [text] the whole sentence, when "Deleted {name}" does not fit
 */
export function deleted(live, what, text = t('common.deleted', { name: what })) {
  announce(text)
  toast(text, 'info', { label: t('common.undo'), run: () => live.undo() })
}
