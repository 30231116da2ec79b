// Who is in the project now, and on which phase (from Yjs awareness).
import { h, initials, colorFor, batched } from './dom.js'
import { PHASE_NAMES } from './router.js'

/**
 * A list of the people here: one entry per person (several tabs count once), with the phases
 * they are on.
 * @param {import('./live.js').LiveProject} live
 */
export function presenceList(live) {
  const el = h('ul', { class: 'presence', 'aria-label': 'People in this project' })
  const render = () => {
    /** @type {Map<string, {name: string, color: string, phases: Set<string>, self: boolean}>} */
    const people = new Map()
    for (const state of live.people()) {
      const id = state.user.id
      const person = people.get(id) || {
        name: String(state.user.name || '?'),
        color: state.user.color || colorFor(id),
        phases: new Set(),
        self: false
      }
      if (state.phase) person.phases.add(PHASE_NAMES[state.phase] || state.phase)
      person.self = person.self || state.self
      people.set(id, person)
    }
    const items = Array.from(people.entries())
      .sort(([, a], [, b]) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name))
      .map(([id, person]) => {
        const where = Array.from(person.phases).join(', ')
        const label = `${person.name}${person.self ? ' (you)' : ''}${where ? `: ${where}` : ''}`
        const badge = h('span', {
          class: 'avatar small',
          'aria-hidden': 'true',
          text: initials(person.name)
        })
        badge.style.setProperty('--avatar', person.color)
        return h(
          'li',
          { class: 'person', title: label, dataset: { user: id } },
          badge,
          h('span', { class: 'visually-hidden', text: label })
        )
      })
    el.replaceChildren(...items)
  }
  const onChange = batched(render)
  live.awareness.on('change', onChange)
  render()
  return { el, destroy: () => live.awareness.off('change', onChange) }
}
