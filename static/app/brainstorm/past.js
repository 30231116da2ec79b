// Past sessions, in the Brainstorm panel: every ended session of the project, newest first,
// with its prompt, when it ended and how many ideas and votes it had. Opening one fetches its
// ranked results (GET .../brainstorm/{id}) and shows them in place, with links to download
// them as CSV and JSON; none of it touches the running session, and the results stay here
// after the next session starts (docs/ui.md, Brainstorm).
//
// The list follows a change of language by itself (relabel) and refreshes when a session
// starts or ends (the client's change events).
import { h } from '../dom.js'
import * as api from '../api.js'
import { t, formatDate, removedParticipant } from '../i18n.js'

/**
 * The links that download a session's results.
 * @param {string} base `/v1/projects/{id}/brainstorm`
 * @param {string} sessionId
 */
export function resultLinks(base, sessionId) {
  const path = `${base}/${encodeURIComponent(sessionId)}/results`
  const csv = h('a', { class: 'bs-download', href: `${path}?format=csv`, download: '' })
  const json = h('a', { class: 'bs-download', href: `${path}?format=json`, download: '' })
  const el = h('p', { class: 'bs-downloads' }, csv, ' ', json)
  const relabel = () => {
    csv.textContent = t('brainstorm.download_csv')
    json.textContent = t('brainstorm.download_json')
  }
  relabel()
  return { el, relabel }
}

/**
 * One ranked idea of a session's results (the running session's and past ones' alike).
 * @param {any} idea an entry of the results' `ideas`
 * @param {boolean} anonymous the session names no author
 * @param {string} cluster the idea's cluster name ('' for none)
 * @param {Map<string, string>} members names by account id
 */
export function resultItem(idea, anonymous, cluster, members) {
  const author = anonymous
    ? t('brainstorm.anonymous')
    : t('brainstorm.by', {
        name:
          removedParticipant(idea.author_id) ||
          idea.author_name ||
          members.get(idea.author_id) ||
          t('brainstorm.unknown_author')
      })
  return h(
    'li',
    { class: 'bs-result', dataset: { rank: String(idea.rank), idea: idea.idea_id } },
    h('span', { class: 'bs-rank', text: t('brainstorm.rank', { rank: idea.rank }) }),
    h('span', { class: 'bs-result-text', text: idea.text || t('brainstorm.no_text') }),
    h('span', {
      class: 'bs-result-votes',
      text: t('brainstorm.vote_count', { count: idea.votes })
    }),
    h('span', {
      class: cluster ? 'bs-result-cluster' : 'bs-result-cluster none',
      text: cluster ? t('brainstorm.result_cluster', { name: cluster }) : t('brainstorm.no_cluster')
    }),
    h('span', { class: 'bs-result-author', text: author })
  )
}

/**
 * A session's ranked ideas, as a list.
 * @param {any} data the session's `results`
 * @param {Map<string, string>} members
 */
export function rankedList(data, members) {
  const names = new Map((data.clusters || []).map((c) => [c.cluster_id, c.name]))
  if (!data.ideas.length) return h('p', { class: 'bs-empty', text: t('brainstorm.past.no_ideas') })
  return h(
    'ol',
    { class: 'bs-results' },
    ...data.ideas.map((idea) =>
      resultItem(
        idea,
        data.anonymous,
        idea.cluster_id ? names.get(idea.cluster_id) || '' : '',
        members
      )
    )
  )
}

/**
 * @param {{client: import('./client.js').BrainstormClient, members: Map<string, string>}} opts
 */
export function pastSessions({ client, members }) {
  const heading = h('h3')
  const status = h('p', { class: 'bs-empty' })
  const list = h('ul', { class: 'bs-past-list' })
  const el = h(
    'section',
    { class: 'bs-past' },
    h('details', { class: 'bs-past-fold' }, h('summary', {}, heading), status, list)
  )
  /** Ended sessions as listed (without fetching their results again). @type {any[]} */
  let sessions = []
  /** Opened sessions' results, by id, fetched once. @type {Map<string, any>} */
  const opened = new Map()
  let loaded = false
  let failed = false
  let seen = ''

  const item = (session) => {
    const results = session.results
    const when = session.ended_at || session.created_at
    const count = t('brainstorm.past.summary', {
      ideas: results ? results.ideas.length : 0,
      votes: results ? results.votes : 0
    })
    const body = h('div', { class: 'bs-past-body' })
    const fold = h(
      'details',
      { class: 'bs-past-item', dataset: { session: session.id } },
      h(
        'summary',
        {},
        h('span', { class: 'bs-past-prompt', text: session.prompt }),
        h('span', { class: 'bs-past-meta', text: `${formatDate(when)} · ${count}` })
      ),
      body
    )
    const show = () => {
      const data = opened.get(session.id)
      if (data === undefined) {
        body.replaceChildren(h('p', { class: 'bs-empty', text: t('brainstorm.past.loading') }))
      } else if (data === null) {
        body.replaceChildren(h('p', { class: 'bs-error', text: t('brainstorm.past.failed') }))
      } else {
        body.replaceChildren(rankedList(data, members), resultLinks(client.base, session.id).el)
      }
    }
    fold.addEventListener('toggle', async () => {
      if (!fold.open) return
      show()
      if (opened.get(session.id)) return
      try {
        const details = await api.get(`${client.base}/${encodeURIComponent(session.id)}`)
        opened.set(session.id, details.results || null)
      } catch {
        opened.set(session.id, null)
      }
      show()
    })
    if (fold.open) show()
    return h('li', {}, fold)
  }

  const render = () => {
    heading.textContent = t('brainstorm.past.title')
    const open = new Set(
      Array.from(list.querySelectorAll('details[open]')).map((d) => d.getAttribute('data-session'))
    )
    status.hidden = loaded && !failed && sessions.length > 0
    status.textContent = !loaded
      ? t('brainstorm.past.loading')
      : failed
        ? t('brainstorm.past.failed')
        : t('brainstorm.past.none')
    list.replaceChildren(...sessions.map(item))
    for (const fold of list.querySelectorAll('details')) {
      const details = /** @type {HTMLDetailsElement} */ (fold)
      if (open.has(details.getAttribute('data-session'))) details.open = true
    }
  }

  const refresh = async () => {
    try {
      const page = await api.get(`${client.base}?limit=50`)
      sessions = page.items.filter((s) => s.ended)
      failed = false
    } catch {
      failed = true
    }
    loaded = true
    render()
  }

  /** A session started or ended: the list changes. */
  const onChange = () => {
    const state = client.snapshot
    const key = state ? `${state.sessionId}:${state.ended}` : ''
    if (key === seen) return
    seen = key
    refresh()
  }
  client.addEventListener('change', onChange)
  render()
  onChange()
  return {
    el,
    relabel: render,
    refresh,
    destroy() {
      client.removeEventListener('change', onChange)
    }
  }
}
