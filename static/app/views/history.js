// The workspace's History dialog (docs/ui.md, History; docs/history.md): the project's restore
// points newest first, "Save a restore point" (members and owners), a read-only preview of a
// point with what changed since (worked out here, against the live document), and "Restore this
// point" with its Undo (owners and admins). A restore is an ordinary live edit: the board behind
// the dialog changes for everyone, and the preview follows it.
import { h, newId, announce } from '../dom.js'
import * as api from '../api.js'
import { Y } from '../yjs.js'
import { COLLECTIONS } from '../contract.js'
import { phaseName } from '../router.js'
import { t, onLocaleChange, formatDate, formatList, formatRelative } from '../i18n.js'
import { valueLabel } from '../schema.js'
import { compareContent, countChanges } from '../history-compare.js'

/** Points per page of the list ("Load more" asks for the next). */
const PAGE = 20
/** Points others take appear without a reload: the newest page is asked for again this long
 * after a change from someone else reached the board (a restore, or edits that an automatic
 * point may follow), and at the latest this often while the dialog is open and visible. */
const REFRESH_AFTER_CHANGE_MS = 3000
const REFRESH_EVERY_MS = 30000
/** Absolute times to the minute: points are minutes apart at the closest (activity ones). */
const WHEN = /** @type {Intl.DateTimeFormatOptions} */ ({ dateStyle: 'medium', timeStyle: 'short' })

/**
 * A restore point as the server describes it (http_api/v1/versions.py, VersionOut).
 * @typedef {{id: string, created_at: string, kind: string, name: string | null,
 *   created_by: string | null, present: Array<{id: string, name: string}>,
 *   summary: Record<string, {added: number, removed: number, changed: number}>, size: number}}
 *   Point
 * @typedef {Point & {document: Record<string, unknown>}} PointContent
 */

/**
 * The catalogue keys of a collection's name (the preview's headings). Literal on purpose:
 * tests/test_i18n.py counts a key named nowhere as unused.
 * @type {Readonly<Record<string, string>>}
 */
const COLLECTION_KEYS = Object.freeze({
  personas: 'history.collection.personas',
  empathyMaps: 'history.collection.empathyMaps',
  povStatements: 'history.collection.povStatements',
  hmwQuestions: 'history.collection.hmwQuestions',
  ideas: 'history.collection.ideas',
  prototypes: 'history.collection.prototypes',
  tests: 'history.collection.tests',
  testResults: 'history.collection.testResults'
})

/**
 * "3 ideas", "1 persona": a count of one root's entries (the summary's roots include the
 * board's clusters and session areas).
 * @type {Readonly<Record<string, string>>}
 */
const COUNT_KEYS = Object.freeze({
  personas: 'history.count.personas',
  empathyMaps: 'history.count.empathyMaps',
  povStatements: 'history.count.povStatements',
  hmwQuestions: 'history.count.hmwQuestions',
  ideas: 'history.count.ideas',
  prototypes: 'history.count.prototypes',
  tests: 'history.count.tests',
  testResults: 'history.count.testResults',
  clusters: 'history.count.clusters',
  frames: 'history.count.frames'
})

/** "3 ideas changed", per root (the participle agrees with the noun in Portuguese). */
const CHANGED_KEYS = Object.freeze({
  personas: 'history.changed.personas',
  empathyMaps: 'history.changed.empathyMaps',
  povStatements: 'history.changed.povStatements',
  hmwQuestions: 'history.changed.hmwQuestions',
  ideas: 'history.changed.ideas',
  prototypes: 'history.changed.prototypes',
  tests: 'history.changed.tests',
  testResults: 'history.changed.testResults',
  clusters: 'history.changed.clusters',
  frames: 'history.changed.frames'
})

/** The badge of an entry in the preview, by what became of it since the point. */
const CHANGE_KEYS = Object.freeze({
  removed: 'history.change.removed',
  added: 'history.change.added',
  changed: 'history.change.changed',
  moved: 'history.change.moved'
})

/** The order the summary line names roots in: the phases', then the board's own. */
const SUMMARY_ROOTS = [...COLLECTIONS, 'clusters', 'frames']

/**
 * A point's kind as people read it: "Named: after day 1", "Phase: Empathize → Define"...
 * @param {Point} point
 */
export function kindLabel(point) {
  switch (point.kind) {
    case 'named':
      return t('history.kind.named', { name: point.name || '' })
    case 'phase': {
      const [from, to] = String(point.name || '').split(' → ')
      return to === undefined
        ? t('history.kind.phase_unknown')
        : t('history.kind.phase', { from: phaseName(from), to: phaseName(to) })
    }
    case 'reveal':
      return t('history.kind.reveal')
    case 'activity':
      return t('history.kind.activity')
    case 'bulk-delete':
      return t('history.kind.bulk_delete')
    case 'restore':
      return t('history.kind.restore')
    default:
      return point.name || point.kind
  }
}

/**
 * What a message calls a point: the name given to it, else its kind ("after day 1",
 * "Autosave").
 * @param {Point} point
 */
function pointName(point) {
  return point.kind === 'named' && point.name ? point.name : kindLabel(point)
}

/**
 * "+12 ideas, −1 persona, 3 ideas changed": what changed since the previous point, one line.
 * @param {Point['summary']} summary
 */
export function summaryLine(summary) {
  const parts = []
  const roots = SUMMARY_ROOTS.filter((root) => summary[root])
  for (const root of roots) {
    if (summary[root].added) {
      parts.push(t('history.added', { what: t(COUNT_KEYS[root], { n: summary[root].added }) }))
    }
  }
  for (const root of roots) {
    if (summary[root].removed) {
      parts.push(t('history.removed', { what: t(COUNT_KEYS[root], { n: summary[root].removed }) }))
    }
  }
  for (const root of roots) {
    if (summary[root].changed) parts.push(t(CHANGED_KEYS[root], { n: summary[root].changed }))
  }
  return parts.length ? parts.join(', ') : t('history.no_changes')
}

/** "5 minutes ago", "yesterday". @param {string} when */
function relativeTime(when) {
  const seconds = (Date.parse(when) - Date.now()) / 1000
  const size = Math.abs(seconds)
  /** @type {Array<[number, Intl.RelativeTimeFormatUnit, number]>} up to, unit, seconds in it */
  const steps = [
    [45, 'second', 0],
    [3600, 'minute', 60],
    [86400, 'hour', 3600],
    [86400 * 30, 'day', 86400],
    [86400 * 365, 'month', 86400 * 30]
  ]
  for (const [limit, unit, each] of steps) {
    if (size < limit) return formatRelative(each ? Math.round(seconds / each) : 0, unit)
  }
  return formatRelative(Math.round(seconds / (86400 * 365)), 'year')
}

/**
 * The line an entry shows in the preview: what people recognise it by.
 * @param {string} collection
 * @param {Record<string, any>} entry
 */
function entryText(collection, entry) {
  const text = (/** @type {string} */ key) => (typeof entry[key] === 'string' ? entry[key] : '')
  let out
  switch (collection) {
    case 'personas':
      out = [text('name'), text('role')].filter(Boolean).join(' · ')
      break
    case 'povStatements':
      out = [text('user'), text('need')].filter(Boolean).join(' · ')
      break
    case 'hmwQuestions':
      out = text('question')
      break
    case 'ideas':
      out = text('text')
      break
    case 'testResults':
      out = [text('participant'), text('outcome') && valueLabel('outcome', text('outcome'))]
        .filter(Boolean)
        .join(' · ')
      break
    default:
      out = text('title')
  }
  return out || t('common.untitled')
}

/**
 * The live document's content as plain values, collection -> id -> entry (what
 * compareContent reads).
 * @param {Y.Doc} doc
 */
function liveContent(doc) {
  /** @type {Record<string, Record<string, any>>} */
  const out = {}
  for (const collection of COLLECTIONS) {
    /** @type {Record<string, any>} */
    const entries = {}
    doc.getMap(collection).forEach((value, id) => {
      if (value instanceof Y.Map) entries[id] = value.toJSON()
    })
    out[collection] = entries
  }
  return out
}

/**
 * Open the History dialog of `project`.
 * @param {{id: string, name: string, role: string}} project
 * @param {{live: {doc: Y.Doc, provider?: unknown}, members: Map<string, string>, opener?: HTMLElement}} opts
 *   `live`: the workspace's live document (the preview compares with it); `members`: names by
 *   user id (who named a point); `opener` gets the focus back when the dialog closes
 * @returns {HTMLDialogElement}
 */
export function openHistory(project, opts) {
  const base = `/v1/projects/${encodeURIComponent(project.id)}/versions`
  const mayRestore = project.role === 'owner' || project.role === 'admin'
  const maySave = project.role !== 'viewer'
  let closed = false
  /** @type {Point[]} */
  let points = []
  /** @type {string | null} */
  let nextCursor = null
  let loaded = false
  /** @type {PointContent | null} the point shown in the preview */
  let shown = null
  /** @type {{kind: 'restored' | 'undone' | 'saved' | 'error', text?: string,
   *   point?: Point | PointContent, undo?: string} | null} what the last action did */
  let outcome = null
  let busy = false

  const titleId = newId('history')
  const title = h('h2', { id: titleId })
  const close = h('button', { type: 'button', class: 'ghost' })
  const intro = h('p', { class: 'hint history-intro' })

  // -- save a restore point (members and owners)
  const nameInput = h('input', {
    id: newId('point-name'),
    name: 'name',
    maxlength: 120,
    required: true,
    autocomplete: 'off'
  })
  const nameLabel = h('label', { for: nameInput.id })
  const saveButton = h('button', { type: 'submit', class: 'primary' })
  const saveForm = maySave
    ? h(
        'form',
        { class: 'history-save', novalidate: true },
        h('div', { class: 'field' }, nameLabel, nameInput),
        saveButton
      )
    : null

  // -- what the last action did: "Restored…" with Undo, "Saved…", or an error
  const feedback = h('div', { class: 'history-feedback', role: 'status' })
  const problem = h('p', { class: 'form-error', role: 'alert', hidden: true })

  // -- the points, newest first
  const listTitle = h('h3', { id: newId('points') })
  const list = h('ol', { class: 'history-points', 'aria-labelledby': listTitle.id })
  const empty = h('p', { class: 'empty', hidden: true })
  const more = h('button', { type: 'button', class: 'ghost small history-more', hidden: true })
  const listEl = h(
    'section',
    { class: 'history-list', 'aria-labelledby': listTitle.id },
    listTitle,
    list,
    empty,
    more
  )

  // -- the preview of the point picked
  const previewTitle = h('h3', { id: newId('preview') })
  const preview = h('div', { class: 'history-preview-body' })
  const restoreButton = h('button', { type: 'button', class: 'primary', hidden: !mayRestore })
  const previewEl = h(
    'section',
    { class: 'history-preview', 'aria-labelledby': previewTitle.id },
    h('div', { class: 'history-preview-head' }, previewTitle, restoreButton),
    preview
  )

  const dialog = h(
    'dialog',
    { class: 'dialog history-dialog', 'aria-labelledby': titleId },
    h('div', { class: 'dialog-head' }, title, close),
    intro,
    saveForm,
    feedback,
    problem,
    h('div', { class: 'history-body' }, listEl, previewEl)
  )

  const showProblem = (/** @type {unknown} */ error) => {
    problem.textContent = error ? (error instanceof Error ? error.message : String(error)) : ''
    problem.hidden = !error
  }

  // -- rendering (again on every change of language; the preview on every live edit)

  /** @param {Point} point */
  const pointItem = (point) => {
    const by = point.created_by ? opts.members.get(point.created_by) : null
    const names = point.present.map((person) => person.name)
    const button = h(
      'button',
      {
        type: 'button',
        class: 'history-point',
        'aria-pressed': String(shown !== null && shown.id === point.id),
        dataset: { kind: point.kind, id: point.id }
      },
      h('span', { class: 'history-kind', text: kindLabel(point) }),
      h(
        'span',
        { class: 'history-when' },
        h('time', {
          datetime: point.created_at,
          title: formatDate(point.created_at, WHEN),
          text: relativeTime(point.created_at)
        }),
        ' · ',
        formatDate(point.created_at, WHEN)
      ),
      by && point.kind !== 'activity'
        ? h('span', { class: 'history-by', text: t('history.by', { name: by }) })
        : null,
      names.length
        ? h('span', {
            class: 'history-present',
            text: t('history.present', { names: formatList(names) })
          })
        : null,
      h('span', { class: 'history-summary', text: summaryLine(point.summary) })
    )
    button.addEventListener('click', () => pick(point))
    return h('li', {}, button)
  }

  const renderList = () => {
    list.replaceChildren(...points.map(pointItem))
    empty.hidden = !loaded || points.length > 0
    more.hidden = nextCursor === null
  }

  const renderFeedback = () => {
    feedback.replaceChildren()
    feedback.className = 'history-feedback'
    if (!outcome) return
    feedback.classList.add('notice')
    const name = outcome.point ? pointName(outcome.point) : ''
    if (outcome.kind === 'restored') {
      const undo = h('button', { type: 'button', class: 'small', text: t('common.undo') })
      undo.addEventListener('click', () => {
        if (outcome && outcome.undo) undoRestore(outcome.undo)
      })
      feedback.append(h('span', { text: t('history.restored', { name }) }), ' ', undo)
    } else if (outcome.kind === 'undone') {
      feedback.append(h('span', { text: t('history.undone') }))
    } else if (outcome.kind === 'saved') {
      feedback.append(h('span', { text: t('history.saved', { name }) }))
    }
  }

  const renderPreview = () => {
    restoreButton.hidden = !mayRestore || !shown
    if (!shown) {
      previewTitle.textContent = t('history.preview_title_none')
      preview.replaceChildren(h('p', { class: 'hint', text: t('history.pick') }))
      return
    }
    previewTitle.textContent = kindLabel(shown)
    const changes = compareContent(shown.document, liveContent(opts.live.doc))
    const counts = countChanges(changes)
    const groups = changes.filter((group) => group.then > 0 || group.now > 0)
    preview.replaceChildren(
      h('p', {
        class: 'hint history-as-of',
        text: t('history.preview_when', { when: formatDate(shown.created_at, WHEN) })
      }),
      h('p', {
        class: 'history-since',
        text:
          counts.removed + counts.added + counts.changed + counts.moved
            ? t('history.since', {
                removed: counts.removed,
                added: counts.added,
                changed: counts.changed + counts.moved
              })
            : t('history.since_nothing')
      }),
      groups.length ? '' : h('p', { class: 'empty', text: t('history.point_empty') }),
      ...groups.map((group) => {
        const headId = newId('collection')
        return h(
          'section',
          { class: 'history-collection', 'aria-labelledby': headId },
          h(
            'h4',
            { id: headId },
            t(COLLECTION_KEYS[group.collection]),
            ' ',
            h('span', {
              class: 'history-counts',
              text: t('history.counts', { then: group.then, now: group.now })
            })
          ),
          h(
            'ul',
            { class: 'history-entries', 'aria-labelledby': headId },
            group.entries.map(({ change, then, now }) => {
              const was = then ? entryText(group.collection, then) : null
              const is = now ? entryText(group.collection, now) : null
              const badge = change === 'same' ? null : t(CHANGE_KEYS[change])
              return h(
                'li',
                { class: 'history-entry', dataset: { change } },
                badge ? h('span', { class: 'history-badge', text: badge }) : null,
                h('span', { class: 'history-text', text: was ?? is ?? '' }),
                change === 'changed' && is !== null && is !== was
                  ? h('span', { class: 'history-now', text: t('history.now', { text: is }) })
                  : null
              )
            })
          )
        )
      })
    )
  }

  const relabel = () => {
    title.textContent = t('history.title', { project: project.name })
    close.textContent = t('common.close')
    intro.textContent = mayRestore ? t('history.intro_owner') : t('history.intro')
    nameLabel.textContent = t('history.name_label')
    nameInput.placeholder = t('history.name_placeholder')
    saveButton.textContent = t('history.save')
    listTitle.textContent = t('history.points')
    empty.textContent = t('history.empty')
    more.textContent = t('history.load_more')
    restoreButton.textContent = t('history.restore')
    renderList()
    renderFeedback()
    renderPreview()
  }

  // -- the server

  /** Put points taken since the list was read at its top; the pages read so far stay. */
  const refresh = async () => {
    if (busy || closed || !loaded) return
    try {
      const page = await api.get(`${base}${api.query({ limit: PAGE })}`)
      if (closed) return
      const known = new Set(points.map((point) => point.id))
      const fresh = page.items.filter((/** @type {Point} */ point) => !known.has(point.id))
      if (!fresh.length) return
      points = fresh.concat(points)
      renderList()
    } catch {
      // the next refresh asks again; a lasting problem shows on the next action
    }
  }

  /** @param {boolean} again from the newest (after an action), or the next page */
  const load = async (again) => {
    const cursor = again ? null : nextCursor
    try {
      const page = await api.get(`${base}${api.query({ limit: PAGE, cursor })}`)
      if (closed) return
      points = again ? page.items : points.concat(page.items)
      nextCursor = page.next_cursor
      loaded = true
      showProblem(null)
    } catch (error) {
      if (!closed) showProblem(error)
    }
    if (!closed) renderList()
  }

  /** Show `point` in the preview (its content is asked for once per pick). @param {Point} point */
  const pick = async (point) => {
    try {
      const content = /** @type {PointContent} */ (
        await api.get(`${base}/${encodeURIComponent(point.id)}`)
      )
      if (closed) return
      shown = content
      showProblem(null)
    } catch (error) {
      if (!closed) showProblem(error)
      return
    }
    renderList()
    renderPreview()
    previewTitle.focus()
  }

  /** Restore `id`; `undo`: this is the Undo of a restore. @param {string} id @param {boolean} undo */
  const restorePoint = async (id, undo) => {
    if (busy) return
    busy = true
    const point = shown
    try {
      const done = await api.post(`${base}/${encodeURIComponent(id)}/restore`)
      if (closed) return
      outcome = undo
        ? { kind: 'undone' }
        : { kind: 'restored', point: point || undefined, undo: done.undo }
      showProblem(null)
      renderFeedback()
      announce(feedback.textContent || '')
      const action = feedback.querySelector('button')
      if (action) action.focus()
      await load(true)
    } catch (error) {
      if (!closed) showProblem(error)
    } finally {
      busy = false
    }
  }

  const undoRestore = (/** @type {string} */ id) => restorePoint(id, true)

  const confirmRestore = () => {
    if (!shown) return
    const point = shown
    const headId = newId('confirm')
    const yes = h('button', { type: 'button', class: 'primary', text: t('history.confirm_yes') })
    const no = h('button', { type: 'button', class: 'ghost', text: t('common.cancel') })
    const confirm = h(
      'dialog',
      { class: 'dialog history-confirm', 'aria-labelledby': headId, role: 'alertdialog' },
      h('h2', { id: headId, text: t('history.confirm_title', { name: pointName(point) }) }),
      h('p', { text: t('history.confirm_text') }),
      h('div', { class: 'form-actions' }, yes, no)
    )
    no.addEventListener('click', () => confirm.close())
    yes.addEventListener('click', () => {
      confirm.close()
      restorePoint(point.id, false)
    })
    confirm.addEventListener('close', () => {
      confirm.remove()
      if (restoreButton.isConnected && document.activeElement === document.body) {
        restoreButton.focus()
      }
    })
    dialog.append(confirm)
    confirm.showModal()
    no.focus()
  }

  // -- wiring

  saveForm?.addEventListener('submit', async (event) => {
    event.preventDefault()
    const name = nameInput.value.trim()
    if (!name) {
      nameInput.setAttribute('aria-invalid', 'true')
      showProblem(t('history.name_required'))
      nameInput.focus()
      return
    }
    nameInput.removeAttribute('aria-invalid')
    saveButton.disabled = true
    try {
      const point = await api.post(base, { name })
      if (closed) return
      nameInput.value = ''
      outcome = { kind: 'saved', point }
      showProblem(null)
      renderFeedback()
      announce(feedback.textContent || '')
      await load(true)
    } catch (error) {
      if (!closed) showProblem(error)
    } finally {
      saveButton.disabled = false
    }
  })
  more.addEventListener('click', () => load(false))
  restoreButton.addEventListener('click', confirmRestore)
  close.addEventListener('click', () => dialog.close())

  let queued = false
  /** @type {ReturnType<typeof setTimeout> | null} */
  let refreshSoon = null
  const onUpdate = (/** @type {Uint8Array} */ _update, /** @type {unknown} */ origin) => {
    if (origin === opts.live.provider && !refreshSoon) {
      // a change from someone else (the provider applies what the server sends)
      refreshSoon = setTimeout(() => {
        refreshSoon = null
        refresh()
      }, REFRESH_AFTER_CHANGE_MS)
    }
    if (queued || !shown) return
    queued = true
    // one comparison per burst of edits (a restore is one, a busy board is many)
    setTimeout(() => {
      queued = false
      if (!closed) renderPreview()
    }, 150)
  }
  opts.live.doc.on('update', onUpdate)
  const every = setInterval(() => {
    if (document.visibilityState === 'visible') refresh()
  }, REFRESH_EVERY_MS)
  const onFocus = () => refresh()
  window.addEventListener('focus', onFocus)
  const stopLocale = onLocaleChange(relabel)
  dialog.addEventListener('close', (event) => {
    if (event.target !== dialog) return // the confirmation inside it closed
    closed = true
    opts.live.doc.off('update', onUpdate)
    clearInterval(every)
    if (refreshSoon) clearTimeout(refreshSoon)
    window.removeEventListener('focus', onFocus)
    stopLocale()
    dialog.remove()
    if (opts.opener && opts.opener.isConnected) opts.opener.focus()
  })

  relabel()
  previewTitle.tabIndex = -1
  document.body.append(dialog)
  dialog.showModal()
  load(true)
  return dialog
}
