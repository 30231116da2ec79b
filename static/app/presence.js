// Who is in the project now, and on which phase (from Yjs awareness).
import { h, initials, colorFor, batched } from './dom.js'
import { phaseName } from './router.js'
import { t, formatList, locale, onLocaleChange } from './i18n.js'

/**
 * A list of the people here: one entry per person (several tabs count once), with the phases
 * they are on.
 * @param {import('./live.js').LiveProject} live
 */
export function presenceList(live) {
  const el = h('ul', { class: 'presence' })
  const render = () => {
    el.setAttribute('aria-label', t('presence.people'))
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
      if (state.phase) person.phases.add(phaseName(state.phase))
      person.self = person.self || state.self
      people.set(id, person)
    }
    const items = Array.from(people.entries())
      .sort(
        ([, a], [, b]) => Number(b.self) - Number(a.self) || a.name.localeCompare(b.name, locale())
      )
      .map(([id, person]) => {
        const who = person.self ? t('presence.you', { name: person.name }) : person.name
        const label = person.phases.size
          ? t('presence.where', { who, phases: formatList(Array.from(person.phases)) })
          : who
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
  const stopRelabel = onLocaleChange(onChange)
  render()
  return {
    el,
    destroy: () => {
      live.awareness.off('change', onChange)
      stopRelabel()
    }
  }
}
