// Ideate: the idea board, a toolbar for the selected note (colour, cluster, delete), and the
// named clusters (root `clusters`, an additive v1 collection) that group notes.
//
// The view follows a change of language by itself (onLocaleChange, dropped in destroy, and
// `relabel()` for a caller that wants to ask): it relabels in place, so the board keeps its
// scroll, zoom and selection and a running brainstorm its panel. Notes and cluster names are
// what people wrote: never translated.
import { h, newId, announce, colorFor, batched } from '../dom.js'
import { t, onLocaleChange, formatNumber } from '../i18n.js'
import { fillOptions, nudge } from '../forms.js'
import { Board, NOTE_W, NOTE_H } from '../board.js'
import { clusterColors, readClusters } from '../cluster-layout.js'
import { cardList } from '../collection.js'
import { boundText } from '../fields.js'
import {
  addArtifact,
  deleteArtifact,
  entries,
  setFields,
  str,
  PALETTE,
  DEFAULT_COLOR,
  LIMITS
} from '../schema.js'
import { onRootChange, deleted } from './common.js'
import {
  ACCEPT_IMAGES,
  IMAGE_TYPES,
  acceptable,
  dropZone,
  filePicker,
  imagesOf,
  uploadError,
  uploadFile,
  uploadStatus
} from '../uploads.js'
import { brainstormPanel } from '../brainstorm/panel.js'
import { linkBoard } from '../brainstorm/board-link.js'

/** The message of each palette colour's name (a literal table: the keys are checked). */
const COLOR_KEYS = {
  yellow: 'board.color.yellow',
  orange: 'board.color.orange',
  red: 'board.color.red',
  pink: 'board.color.pink',
  purple: 'board.color.purple',
  blue: 'board.color.blue',
  green: 'board.color.green',
  grey: 'board.color.grey'
}

/** [value, name] of the palette's colours, named in the current language. */
const colorNames = () =>
  PALETTE.map((c) => [c, COLOR_KEYS[c] ? t(COLOR_KEYS[c]) : c[0].toUpperCase() + c.slice(1)])

/** Fill a colour select, keeping its value (and a custom colour it holds). */
function fillColors(select) {
  const value = select.value
  const options = colorNames()
  if (value && !PALETTE.includes(value)) options.push([value, value])
  fillOptions(select, options)
  if (value) select.value = value
}

function clusterOptions(live) {
  return entries(live.doc, 'clusters').map(([id, c]) => [
    id,
    str(c, 'name') || t('ideate.cluster_unnamed')
  ])
}

const GAP = 16
/** Do two notes at these places overlap? @param {{x: number, y: number}} a @param {{x: number, y: number}} b */
const overlaps = (a, b) =>
  a.x < b.x + NOTE_W && b.x < a.x + NOTE_W && a.y < b.y + NOTE_H && b.y < a.y + NOTE_H
const num = (value) => (typeof value === 'number' && Number.isFinite(value) ? value : 0)

/** Where the notes a facilitator's lock holds for this user are (they do not move). */
function heldSpots(live) {
  return entries(live.doc, 'ideas')
    .filter(([id]) => live.heldNotes.has(id))
    .map(([, idea]) => ({ x: num(idea.get('x')), y: num(idea.get('y')) }))
}

/**
 * Lay the notes out in one column per cluster (oldest first), unclustered notes last. Notes a
 * facilitator's lock holds for this user stay where they are, and the columns skip them.
 */
function arrangeByCluster(live) {
  const columns = new Map(entries(live.doc, 'clusters').map(([id]) => [id, []]))
  const loose = []
  const moved = []
  for (const [id, idea] of entries(live.doc, 'ideas')) {
    if (live.heldNotes.has(id)) continue
    moved.push(id)
    const column = columns.get(idea.get('clusterId'))
    if (column) column.push(idea)
    else loose.push(idea)
  }
  const held = heldSpots(live)
  live.write(() => {
    let x = 0
    for (const column of [...columns.values(), loose]) {
      if (!column.length) continue
      let y = 0
      for (const idea of column) {
        while (held.some((spot) => overlaps(spot, { x, y }))) y += NOTE_H + GAP
        setFields(idea, { x, y })
        y += NOTE_H + GAP
      }
      x += NOTE_W + 56
    }
  }, moved)
}

/**
 * Move every note that overlaps an older one to the first free spot to its right (then below),
 * in one undoable step. Notes written in silence at the same spot are revealed on top of each
 * other (docs/ui.md, Brainstorm). Notes a facilitator's lock holds for this user are placed
 * first and never moved: the others make room around them.
 */
function spreadOverlapping(live) {
  const placed = heldSpots(live)
  const moves = []
  for (const [id, idea] of entries(live.doc, 'ideas')) {
    if (live.heldNotes.has(id)) continue
    let spot = { x: num(idea.get('x')), y: num(idea.get('y')) }
    if (placed.some((other) => overlaps(other, spot))) {
      const from = spot
      for (let i = 1; i < 2000; i++) {
        const candidate = {
          x: from.x + (i % 8) * (NOTE_W + GAP),
          y: from.y + Math.floor(i / 8) * (NOTE_H + GAP)
        }
        if (!placed.some((other) => overlaps(other, candidate))) {
          spot = candidate
          moves.push([id, idea, candidate])
          break
        }
      }
    }
    placed.push(spot)
  }
  if (
    moves.length &&
    live.write(
      () => {
        for (const [, idea, at] of moves) setFields(idea, at)
      },
      moves.map(([id]) => id)
    )
  ) {
    announce(t('ideate.spread_done', { count: moves.length }))
  } else if (!moves.length) {
    announce(t('ideate.spread_none'))
  }
}

/** What an empty board says, by brainstorm phase (or with no session running). */
const EMPTY_BOARD = {
  none: 'ideate.empty.board',
  silent: 'ideate.empty.silent',
  reveal: 'ideate.empty.reveal',
  clustering: 'ideate.empty.clustering',
  voting: 'ideate.empty.voting',
  results: 'ideate.empty.results'
}

/**
 * The sentence an empty board shows, over it: the method of the moment, with an example.
 * @param {Board} board
 * @param {import('../brainstorm/client.js').BrainstormClient | null} client
 */
function boardEmptyState(board, client) {
  const el = h('p', { class: 'board-empty', role: 'note' })
  board.el.append(el)
  const render = () => {
    const state = client && client.running() ? client.snapshot : null
    const shown = Array.from(board.notes.values()).some((n) => !n.el.hidden)
    el.hidden = shown
    if (!shown) el.textContent = t(EMPTY_BOARD[state ? state.phase : 'none'] || EMPTY_BOARD.none)
  }
  const later = batched(render)
  // the board lays itself out after every note added or removed, hidden ones too
  const stopLayout = board.onLayout(later)
  if (client) client.addEventListener('change', later)
  render()
  return {
    render,
    destroy() {
      stopLayout()
      if (client) client.removeEventListener('change', later)
    }
  }
}

/**
 * @param {any} live
 * @param {{id: string}} user
 * @param {() => {x: number, y: number}} spot where a new cluster's frame goes (board units)
 */
function clustersPanel(live, user, spot) {
  const headingId = newId('clusters')
  const list = h('ul', { class: 'cluster-list', 'aria-labelledby': headingId })
  const cards = cardList(live.doc.getMap('clusters'), list, (id, map) => {
    const name = boundText(live, map, 'name', {
      label: t('ideate.cluster_name'),
      required: true,
      maxLength: LIMITS.name,
      hideLabel: true
    })
    const swatch = h('span', { class: 'swatch', 'aria-hidden': 'true' })
    const paint = () =>
      swatch.style.setProperty(
        '--cluster',
        clusterColors(readClusters(live.doc.getMap('clusters'))).get(id) || colorFor(id)
      )
    paint()
    const count = h('span', { class: 'count' })
    const countIdeas = () => {
      let n = 0
      live.doc.getMap('ideas').forEach((idea) => {
        if (idea.get && idea.get('clusterId') === id) n += 1
      })
      count.textContent = formatNumber(n)
      count.setAttribute('aria-label', t('ideate.cluster_count', { count: n }))
    }
    const remove = h('button', { type: 'button', class: 'icon danger', text: '×' })
    const relabel = () => {
      name.input.setAttribute('aria-label', t('ideate.cluster_name'))
      remove.setAttribute('aria-label', t('ideate.delete_cluster', { name: str(map, 'name') }))
      countIdeas()
    }
    relabel()
    remove.addEventListener('click', () => {
      const what = str(map, 'name')
      // its notes lose their cluster: refused (with a message) if a lock holds one of them
      const members = entries(live.doc, 'ideas')
        .filter(([, idea]) => idea.get('clusterId') === id)
        .map(([ideaId]) => ideaId)
      if (live.writeStep(() => deleteArtifact(live.doc, 'clusters', id), members)) {
        deleted(live, what, t('ideate.cluster_deleted', { name: what }))
      }
    })
    return {
      el: h('li', { class: 'cluster' }, swatch, name.el, count, remove),
      update(keys) {
        if (keys.has('name')) {
          name.refresh()
          remove.setAttribute('aria-label', t('ideate.delete_cluster', { name: str(map, 'name') }))
        }
      },
      countIdeas,
      paint,
      relabel
    }
  })
  const stop = onRootChange(live.doc.getMap('ideas'), () => {
    for (const c of cards.cards.values()) c.countIdeas()
  })
  // colours follow the clusters' order: a new or deleted cluster may change them
  const stopColors = onRootChange(live.doc.getMap('clusters'), () => {
    for (const c of cards.cards.values()) c.paint()
  })
  const input = h('input', { type: 'text', maxlength: LIMITS.name })
  const addButton = h('button', { type: 'submit', class: 'small' })
  const form = h('form', { class: 'add-note' }, input, addButton)
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const name = input.value.trim()
    if (!name) {
      nudge(input, t('ideate.cluster_name_first'))
      return
    }
    // a new cluster's frame starts in view, where notes can be dropped on it
    const at = spot()
    const fields = { name, x: Math.round(at.x), y: Math.round(at.y) }
    if (live.write(() => addArtifact(live.doc, 'clusters', fields, user.id))) input.value = ''
  })
  const heading = h('h2', { id: headingId })
  const el = h(
    'section',
    { class: 'clusters-panel panel', 'aria-labelledby': headingId },
    heading,
    list,
    form
  )
  const relabel = () => {
    heading.textContent = t('ideate.clusters')
    input.setAttribute('aria-label', t('ideate.new_cluster'))
    addButton.textContent = t('ideate.add_cluster')
    for (const c of cards.cards.values()) c.relabel()
  }
  relabel()
  return {
    el,
    relabel,
    destroy() {
      stop()
      stopColors()
      cards.destroy()
    }
  }
}

/** Zoom out / level / in / reset for the board (works for viewers too: it changes nothing). */
function zoomControls(board) {
  const level = h('output', { class: 'zoom-level' })
  const show = () => {
    level.textContent = formatNumber(board.zoom, { style: 'percent', maximumFractionDigits: 0 })
  }
  // role=button spans, not <button>s: a viewer's disabled fieldset must not disable them
  /** @type {Array<[HTMLElement, string]>} each control and the key of its label */
  const labelled = []
  const control = (text, key, fn) => {
    const el = h('span', { class: 'zoom-button', role: 'button', tabindex: '0', text })
    labelled.push([el, key])
    const run = () => {
      fn()
      relabel()
    }
    el.addEventListener('click', run)
    el.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') {
        event.preventDefault()
        run()
      }
    })
    return el
  }
  board.onView(show) // the board drops its listeners when it is destroyed
  const cursors = control('', 'ideate.cursors_toggle', () =>
    board.setCursorsHidden(!board.cursorsHidden)
  )
  cursors.classList.add('cursors-toggle')
  const el = h(
    'div',
    { class: 'zoom', role: 'group' },
    control('−', 'ideate.zoom_out', () => board.stepZoom(-1)),
    level,
    control('+', 'ideate.zoom_in', () => board.stepZoom(1)),
    control('1:1', 'ideate.zoom_reset', () => board.setZoom(1)),
    cursors
  )
  const relabel = () => {
    el.setAttribute('aria-label', t('ideate.zoom'))
    level.setAttribute('aria-label', t('ideate.zoom_level'))
    for (const [button, key] of labelled) button.setAttribute('aria-label', t(key))
    cursors.textContent = board.cursorsHidden ? t('ideate.show_cursors') : t('ideate.hide_cursors')
    cursors.setAttribute('aria-pressed', board.cursorsHidden ? 'true' : 'false')
    cursors.setAttribute('aria-label', cursors.textContent)
    show()
  }
  relabel()
  return { el, relabel }
}

/**
 * Image notes: a picture dropped on the board (at the drop point), pasted (Ctrl+V, in the first
 * free spot) or picked with the "Add image" button is uploaded to the project's files
 * (`POST /v1/projects/{id}/files`), then becomes an idea with `imageFileId` in the live
 * document, as any note is created, so everyone sees it at once. Image notes always go to the
 * board's own ideas: a brainstorm's private room would lose the picture at the reveal, so they
 * wait until the silent phase is over.
 * @param {import('../board.js').Board} board
 * @param {import('../live.js').LiveProject} live
 */
function imageNotes(board, live) {
  const status = uploadStatus()
  const add = async (
    /** @type {File[]} */ files,
    /** @type {{x: number, y: number} | null} */ at
  ) => {
    if (live.readOnly) return
    if (live.locked) {
      status.fail(t('live.locked_write'))
      return
    }
    if (board.target.name !== 'board') {
      status.fail(t('ideate.images_after_silence'))
      return
    }
    let shift = 0
    for (const file of files) {
      if (!acceptable(file, IMAGE_TYPES)) {
        status.fail(t('upload.not_a_picture', { name: file.name }))
        continue
      }
      status.start(file.name)
      try {
        const stored = await uploadFile(
          `/v1/projects/${encodeURIComponent(live.projectId)}/files`,
          file,
          { onProgress: status.progress }
        )
        status.done()
        const spot = at ? { x: at.x - NOTE_W / 2 + shift, y: at.y - 20 + shift } : board.freeSpot()
        shift += 24
        const text = Array.from(file.name || stored.name || '')
          .slice(0, LIMITS.text)
          .join('')
        const key = board.create(text || t('board.image_note'), spot, false, DEFAULT_COLOR, {
          imageFileId: stored.id,
          source: board.sources.get('board')
        })
        if (key) announce(t('ideate.image_added', { name: text }))
      } catch (error) {
        status.fail(t('upload.failed', { name: file.name, error: uploadError(error) }))
      }
    }
  }
  const picker = filePicker({
    label: t('ideate.add_image'),
    accept: ACCEPT_IMAGES,
    multiple: true,
    className: 'ghost',
    onFiles: (files) => add(files, null)
  })
  dropZone(
    board.el,
    (files, event) => add(imagesOf(files), board.toBoard(event)),
    () => !live.readOnly
  )
  /** Ctrl+V with a picture on the clipboard, while the board (or nothing in particular) has focus. */
  const paste = (/** @type {ClipboardEvent} */ event) => {
    const active = document.activeElement
    const onBoard = !active || active === document.body || board.el.contains(active)
    if (!onBoard || live.readOnly || !board.el.isConnected) return
    const pictures = imagesOf(event.clipboardData?.files)
    if (!pictures.length) return
    event.preventDefault()
    add(pictures, null)
  }
  document.addEventListener('paste', paste)
  return {
    picker,
    status,
    relabel() {
      picker.button.textContent = t('ideate.add_image')
      picker.input.setAttribute('aria-label', t('ideate.add_image'))
    },
    destroy: () => document.removeEventListener('paste', paste)
  }
}

/**
 * @param {{live: import('../live.js').LiveProject, user: {id: string}, members: Map<string,string>,
 *   team?: Array<{user_id: string, name: string, role: string}>,
 *   brainstorm?: import('../brainstorm/client.js').BrainstormClient | null}} ctx
 */
export function ideateView(ctx) {
  const { live, user } = ctx
  const colour = h('select')
  fillColors(colour)
  const cluster = h('select')
  const remove = h('button', { type: 'button', class: 'ghost danger' })
  const selectedLabel = h('span', { class: 'selected-label' })
  const selection = [colour, cluster, remove]
  let selected = null

  // `selected` is a board key: an idea id, or `hidden:<id>` for a hidden brainstorm note
  const showSelection = (id) => {
    selected = id
    const note = id ? board.note(id) : null
    const idea = note ? note.map : null
    // a note that may not change now (a board lock, a locked note, the time up) is only
    // looked at
    const frozen = board.noteFrozen(note)
    for (const control of selection) control.toggleAttribute('disabled', !idea || frozen)
    // a hidden note has no cluster yet: clusters are for the board's notes
    if (note && note.source.hidden) cluster.disabled = true
    selectedLabel.textContent = idea
      ? t('ideate.selected', { text: str(idea, 'text').slice(0, 40) })
      : t('ideate.no_selection')
    fillOptions(cluster, [['', t('ideate.no_cluster')], ...clusterOptions(live)])
    if (!idea) return
    const c = idea.get('color')
    if (!PALETTE.includes(c) && typeof c === 'string') {
      fillOptions(colour, [...colorNames(), [c, c]])
    }
    colour.value = typeof c === 'string' ? c : DEFAULT_COLOR
    cluster.value = typeof idea.get('clusterId') === 'string' ? idea.get('clusterId') : ''
  }
  const board = new Board({ live, members: ctx.members, onSelect: showSelection })
  colour.addEventListener('change', () => {
    board.setNoteFields(selected, { color: colour.value })
  })
  cluster.addEventListener('change', () => {
    board.setNoteFields(selected, { clusterId: cluster.value || null })
  })
  remove.addEventListener('click', () => {
    const hidden = board.note(selected)?.source.hidden
    if (selected && board.deleteNote(selected)) {
      const text = hidden ? t('ideate.hidden_idea_deleted') : t('ideate.idea_deleted')
      if (hidden) announce(text)
      else deleted(live, '', text)
    }
  })
  const stopClusters = onRootChange(live.doc.getMap('clusters'), () => showSelection(selected))

  const text = h('input', { type: 'text', maxlength: LIMITS.text })
  const newColour = h('select')
  fillColors(newColour)
  const addButton = h('button', { type: 'submit', class: 'primary' })
  const add = h('form', { class: 'add-idea' }, text, newColour, addButton)
  add.addEventListener('submit', (event) => {
    event.preventDefault()
    const value = text.value.trim()
    if (!value) {
      nudge(text, t('ideate.idea_text_first'))
      return
    }
    if (board.create(value, undefined, false, newColour.value)) {
      text.value = ''
      announce(t('ideate.idea_added', { text: value }))
    }
  })
  const images = imageNotes(board, live)
  const arrange = h('button', { type: 'button', class: 'ghost' })
  arrange.addEventListener('click', () => arrangeByCluster(live))
  const spread = h('button', { type: 'button', class: 'ghost' })
  spread.addEventListener('click', () => spreadOverlapping(live))
  const panel = clustersPanel(live, user, () => board.freeSpot())
  showSelection(null)
  const selectionGroup = h(
    'div',
    { class: 'selection', role: 'group' },
    selectedLabel,
    colour,
    cluster,
    remove
  )
  const zoom = zoomControls(board)
  const toolbar = h(
    'div',
    { class: 'board-toolbar' },
    add,
    images.picker.el,
    selectionGroup,
    arrange,
    spread,
    zoom.el,
    images.status.el
  )
  // The brainstorm: the panel, and what it does to the board (hidden notes, dots, follow, summon).
  const brainstorm = ctx.brainstorm
    ? brainstormPanel({ client: ctx.brainstorm, board, members: ctx.members, team: ctx.team || [] })
    : null
  const link = ctx.brainstorm ? linkBoard({ client: ctx.brainstorm, board, live }) : null
  // While a facilitator's lock holds the board (or the time is up for hidden notes), what
  // would change it is disabled, as the notes are: the server would refuse the change, and
  // the page would keep it, out of step with everyone's.
  const clusterArea = h('fieldset', { class: 'cluster-area' }, panel.el)
  const showEditable = () => {
    const boardFrozen = board.frozen(board.sources.get('board'))
    const adding = board.frozen(board.target)
    for (const control of [text, newColour, addButton]) control.disabled = adding
    images.picker.button.disabled = boardFrozen
    arrange.disabled = boardFrozen
    spread.disabled = boardFrozen
    clusterArea.disabled = boardFrozen
    showSelection(selected)
  }
  const stopEditable = board.onEditable(showEditable)
  showEditable()
  const empty = boardEmptyState(board, ctx.brainstorm || null)
  const heading = h('h2', { class: 'visually-hidden' })
  const hint = h('p', { class: 'hint' })
  const imageHint = h('p', { class: 'hint' })

  /**
   * Show the view's words in the current language. The board, the brainstorm panel and the
   * vote controls relabel themselves on a change of language; this does the rest.
   */
  const relabel = () => {
    heading.textContent = t('ideate.heading')
    hint.textContent = t('ideate.hint')
    imageHint.textContent = t('ideate.image_hint')
    colour.setAttribute('aria-label', t('ideate.selected_colour'))
    cluster.setAttribute('aria-label', t('ideate.selected_cluster'))
    remove.textContent = t('ideate.delete_idea')
    text.setAttribute('aria-label', t('ideate.new_idea'))
    newColour.setAttribute('aria-label', t('ideate.new_colour'))
    addButton.textContent = t('ideate.add_idea')
    arrange.textContent = t('ideate.arrange')
    spread.textContent = t('ideate.spread')
    spread.setAttribute('aria-label', t('ideate.spread_label'))
    selectionGroup.setAttribute('aria-label', t('ideate.selection'))
    fillColors(newColour)
    fillColors(colour)
    showSelection(selected)
    zoom.relabel()
    panel.relabel()
    images.relabel()
    empty.render()
  }
  relabel()
  const stopLocale = onLocaleChange(relabel)
  return {
    el: h(
      'div',
      { class: 'phase phase-ideate' },
      brainstorm ? brainstorm.el : null,
      heading,
      link ? link.banner : null,
      toolbar,
      h('div', { class: 'ideate-layout' }, board.el, clusterArea),
      hint,
      imageHint
    ),
    relabel,
    destroy() {
      stopLocale()
      stopEditable()
      stopClusters()
      images.destroy()
      if (link) link.destroy()
      if (brainstorm) brainstorm.destroy()
      empty.destroy()
      board.destroy()
      panel.destroy()
    },
    board
  }
}
