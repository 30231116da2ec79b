// Where the idea board draws cluster frames and the notes in them, computed from the document
// alone (the `clusters` root and the notes' `clusterId`), so every client draws the same board
// without anyone storing a layout: two people clustering at once cannot make frames overlap.
//
// A cluster is a frame at its anchor (the cluster's own `x`/`y`, else its notes' top-left
// corner) holding its notes in a grid, oldest first, under its full name. Frames are placed
// oldest cluster first; one that would overlap a frame already placed moves right past it,
// so no two frames ever overlap and a cluster never sprawls over the board.
//
// Each cluster gets a colour from a palette chosen to stay distinguishable with colour-vision
// deficiencies (Okabe & Ito), in cluster order, so the first eight never share one; the name
// is always written on the frame and on its notes, so colour is never the only cue.

/** Colours of clusters, in order (darkened where the original is too light for a border). */
export const CLUSTER_COLORS = [
  '#0072b2',
  '#d55e00',
  '#009e73',
  '#cc79a7',
  '#e69f00',
  '#56b4e9',
  '#8a7a00',
  '#444444'
]

const GAP = 16
const PAD = 14
const CHAR_W = 7.6 // a generous average width of a label character, in board units
const LINE_H = 18
const MAX_LINES = 4
const EMPTY_H = 96 // an empty cluster is still somewhere to drop a note

/**
 * @typedef {{id: string, name: string, x?: any, y?: any, createdAt?: any}} ClusterInfo
 * @typedef {{key: string, clusterId: string, x: number, y: number, createdAt?: any}} Member
 * @typedef {{id: string, name: string, color: string, n: number, x0: number, y0: number,
 *   x1: number, y1: number, titleH: number, slots: Map<string, {x: number, y: number}>}} Frame
 */

/**
 * The clusters of a `clusters` root (a Y.Map of Y.Maps), as this module reads them; entries
 * that are not maps are left out.
 * @param {any} root
 * @returns {ClusterInfo[]}
 */
export function readClusters(root) {
  /** @type {ClusterInfo[]} */
  const infos = []
  root.forEach((cluster, id) => {
    if (!cluster || typeof cluster.get !== 'function') return
    const name = cluster.get('name')
    infos.push({
      id,
      name: typeof name === 'string' ? name : '',
      x: cluster.get('x'),
      y: cluster.get('y'),
      createdAt: cluster.get('createdAt')
    })
  })
  return infos
}

const finite = (value) => typeof value === 'number' && Number.isFinite(value)
const byAge = (a, b) =>
  String(a.createdAt || '').localeCompare(String(b.createdAt || '')) ||
  (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)

/** The clusters in the order that gives them their colour and their place. */
export function clusterOrder(/** @type {ClusterInfo[]} */ clusters) {
  return [...clusters].sort((a, b) => {
    const age = String(a.createdAt || '').localeCompare(String(b.createdAt || ''))
    return age || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  })
}

/** Each cluster's colour by id. @param {ClusterInfo[]} clusters */
export function clusterColors(clusters) {
  const colors = new Map()
  clusterOrder(clusters).forEach((c, i) =>
    colors.set(c.id, CLUSTER_COLORS[i % CLUSTER_COLORS.length])
  )
  return colors
}

/** How many lines the name takes in a frame this wide (the same on every screen). */
export function titleLines(name, width) {
  const perLine = Math.max(8, Math.floor((width - 2 * PAD) / CHAR_W))
  return Math.max(1, Math.min(MAX_LINES, Math.ceil(String(name).length / perLine)))
}

const overlaps = (a, b) =>
  a.x0 < b.x1 + GAP && b.x0 < a.x1 + GAP && a.y0 < b.y1 + GAP && b.y0 < a.y1 + GAP

/**
 * Lay the clusters out.
 * @param {ClusterInfo[]} clusters
 * @param {Member[]} members the board's notes that name one of `clusters`
 * @param {{w: number, h: number}} note a note's size on the board
 * @returns {Frame[]} in cluster order
 */
export function layoutClusters(clusters, members, note) {
  const colors = clusterColors(clusters)
  /** @type {Map<string, Member[]>} */
  const groups = new Map(clusters.map((c) => [c.id, []]))
  for (const m of members) groups.get(m.clusterId)?.push(m)
  /** @type {Frame[]} */
  const placed = []
  for (const cluster of clusterOrder(clusters)) {
    const notes = (groups.get(cluster.id) || []).sort(byAge)
    const n = notes.length
    const cols = n ? Math.min(4, Math.ceil(Math.sqrt(n))) : 1
    const rows = n ? Math.ceil(n / cols) : 0
    const width = Math.max(2 * PAD + cols * note.w + (cols - 1) * GAP, 220)
    const titleH = titleLines(cluster.name, width) * LINE_H + 16
    const body = rows ? rows * note.h + (rows - 1) * GAP + PAD : EMPTY_H
    let x0 = 0
    let y0 = 0
    if (finite(cluster.x) && finite(cluster.y)) {
      x0 = cluster.x
      y0 = cluster.y
    } else if (n) {
      x0 = Math.min(...notes.map((m) => m.x)) - PAD
      y0 = Math.min(...notes.map((m) => m.y)) - titleH
    }
    const frame = {
      id: cluster.id,
      name: cluster.name,
      color: colors.get(cluster.id),
      n,
      x0: Math.round(x0),
      y0: Math.round(y0),
      x1: Math.round(x0 + width),
      y1: Math.round(y0 + titleH + body),
      titleH,
      slots: new Map()
    }
    for (;;) {
      const hit = placed.filter((other) => overlaps(frame, other))
      if (!hit.length) break
      const right = Math.max(...hit.map((other) => other.x1)) + GAP
      frame.x1 += right - frame.x0
      frame.x0 = right
    }
    notes.forEach((m, i) => {
      frame.slots.set(m.key, {
        x: frame.x0 + PAD + (i % cols) * (note.w + GAP),
        y: frame.y0 + titleH + Math.floor(i / cols) * (note.h + GAP)
      })
    })
    placed.push(frame)
  }
  return placed
}

/** The frame a board point falls in (the topmost: frames never overlap anyway). */
export function frameAt(/** @type {Frame[]} */ frames, x, y) {
  return frames.find((f) => x >= f.x0 && x <= f.x1 && y >= f.y0 && y <= f.y1) || null
}
