// Test: user-test scripts (linked to a prototype), each participant's result, and a summary
// (results per outcome, average rating) per test and for the whole project.
import { h } from '../dom.js'
import { createForm, fillOptions } from '../forms.js'
import { boundText, boundSelect, refreshBound } from '../fields.js'
import { cardList } from '../collection.js'
import { addArtifact, entries, str, OUTCOMES, RATING, LIMITS } from '../schema.js'
import { artifactSection, card, deleteButton, optionsOf, onRootChange } from './common.js'

/** @type {Array<[string, string]>} */
const OUTCOME_OPTIONS = OUTCOMES.map((o) => [o, o[0].toUpperCase() + o.slice(1)])
const RATINGS = Array.from(
  { length: RATING.maximum - RATING.minimum + 1 },
  (_, i) => RATING.minimum + i
)
/** @type {Array<[string, string]>} */
const RATING_OPTIONS = RATINGS.map((n) => [String(n), `${n} / ${RATING.maximum}`])
const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`
const toRating = (text) => (text === '' ? null : Number(text))

/** Counts per outcome and the average rating of some results. */
export function summarize(results) {
  const counts = Object.fromEntries(OUTCOMES.map((o) => [o, 0]))
  let total = 0
  let ratingSum = 0
  let rated = 0
  for (const result of results) {
    total += 1
    const outcome = result.get('outcome')
    if (outcome in counts) counts[outcome] += 1
    const rating = result.get('rating')
    if (Number.isInteger(rating) && rating >= RATING.minimum && rating <= RATING.maximum) {
      ratingSum += rating
      rated += 1
    }
  }
  return { total, counts, average: rated ? ratingSum / rated : null, rated }
}

/** A summary as a definition list. */
function summaryList(label, s) {
  const item = (term, value) =>
    h('div', { class: 'stat' }, h('dt', { text: term }), h('dd', { text: value }))
  return h(
    'dl',
    { class: 'summary', 'aria-label': label },
    item('Results', String(s.total)),
    ...OUTCOMES.map((o) => item(o[0].toUpperCase() + o.slice(1), String(s.counts[o]))),
    item(
      'Average rating',
      s.average === null ? '–' : `${s.average.toFixed(1)} / ${RATING.maximum} (${s.rated} rated)`
    )
  )
}

function resultRow(ctx, id, map) {
  const { live } = ctx
  const participant = boundText(live, map, 'participant', {
    label: 'Participant',
    maxLength: LIMITS.participant
  })
  const outcome = boundSelect(live, map, 'outcome', {
    label: 'Outcome',
    options: () => OUTCOME_OPTIONS
  })
  const rating = boundSelect(live, map, 'rating', {
    label: 'Rating',
    emptyLabel: '–',
    options: () => RATING_OPTIONS,
    toValue: toRating
  })
  const notes = boundText(live, map, 'notes', {
    label: 'Notes',
    multiline: true,
    rows: 2,
    maxLength: LIMITS.notes
  })
  const label = () => `result of ${str(map, 'participant') || 'a participant'}`
  const el = h(
    'li',
    { class: 'result', 'aria-label': `Result: ${str(map, 'participant') || 'participant'}` },
    participant.el,
    outcome.el,
    rating.el,
    notes.el,
    deleteButton(live, 'testResults', id, label)
  )
  const bound = [participant, outcome, rating, notes]
  return {
    el,
    update(keys) {
      refreshBound(bound, keys)
      el.setAttribute('aria-label', `Result: ${str(map, 'participant') || 'participant'}`)
    }
  }
}

function testCard(ctx, id, map, hooks) {
  const { live, user } = ctx
  const title = boundText(live, map, 'title', {
    label: 'Title',
    required: true,
    maxLength: LIMITS.title
  })
  const prototype = boundSelect(live, map, 'prototypeId', {
    label: 'Prototype',
    emptyLabel: '(none)',
    options: () => optionsOf(live, 'prototypes', (p) => str(p, 'title'))
  })
  const script = boundText(live, map, 'script', {
    label: 'Script',
    multiline: true,
    rows: 4,
    maxLength: LIMITS.script
  })
  const rows = h('ul', { class: 'results', 'aria-label': 'Results' })
  const results = cardList(
    live.doc.getMap('testResults'),
    rows,
    (rid, rmap) => resultRow(ctx, rid, rmap),
    {
      filter: (r) => r.get('testId') === id
    }
  )
  const summary = h('div', { class: 'test-summary' })
  const summarizeThis = () => {
    const mine = entries(live.doc, 'testResults')
      .filter(([, r]) => r.get('testId') === id)
      .map(([, r]) => r)
    summary.replaceChildren(summaryList(`Summary of ${str(map, 'title')}`, summarize(mine)))
  }
  summarizeThis()
  const hook = () => {
    prototype.refresh()
    summarizeThis()
  }
  hooks.add(hook)
  const { form } = createForm({
    title: 'Add a result',
    className: 'inline result-form',
    submit: 'Add result',
    fields: [
      { name: 'participant', label: 'Participant', maxLength: LIMITS.participant },
      { name: 'outcome', label: 'Outcome', type: 'select', options: () => OUTCOME_OPTIONS },
      {
        name: 'rating',
        label: 'Rating',
        type: 'select',
        options: () => [['', '–'], ...RATING_OPTIONS]
      },
      { name: 'notes', label: 'Notes', type: 'textarea', maxLength: LIMITS.notes }
    ],
    onSubmit: ({ participant, outcome, rating, notes }) => {
      live.write(() =>
        addArtifact(
          live.doc,
          'testResults',
          {
            testId: id,
            participant,
            outcome,
            notes,
            rating: toRating(rating)
          },
          user.id
        )
      )
    }
  })
  const name = () => str(map, 'title')
  const c = card('User test', name)
  c.el.append(
    h(
      'header',
      { class: 'card-head' },
      c.title,
      deleteButton(live, 'tests', id, () => `test ${name()} and its results`)
    ),
    h('div', { class: 'card-fields two' }, title.el, prototype.el),
    script.el,
    h('h4', { text: 'Results' }),
    summary,
    rows,
    form
  )
  return {
    el: c.el,
    update(keys) {
      refreshBound([title, prototype, script], keys)
      c.rename()
    },
    destroy() {
      results.destroy()
      hooks.delete(hook)
    }
  }
}

/** @param {{live: import('../live.js').LiveProject, user: {id: string}}} ctx */
export function testView(ctx) {
  const { live, user } = ctx
  const hooks = new Set()
  const overall = h('div', { class: 'panel overall' })
  const summarizeAll = () => {
    const all = entries(live.doc, 'testResults').map(([, r]) => r)
    overall.replaceChildren(
      h('h2', { text: 'Summary of all tests' }),
      h('p', { text: plural(entries(live.doc, 'tests').length, 'user test') }),
      summaryList('Summary of all tests', summarize(all))
    )
  }
  summarizeAll()
  const { form, inputs } = createForm({
    title: 'New user test',
    submit: 'Add test',
    fields: [
      { name: 'title', label: 'Test title', required: true, maxLength: LIMITS.title },
      {
        name: 'prototypeId',
        label: 'Prototype tested',
        type: 'select',
        options: () => [['', '(none)'], ...optionsOf(live, 'prototypes', (p) => str(p, 'title'))]
      },
      { name: 'script', label: 'Test script', type: 'textarea', maxLength: LIMITS.script }
    ],
    onSubmit: ({ title, prototypeId, script }) => {
      live.write(() =>
        addArtifact(live.doc, 'tests', { title, script, prototypeId: prototypeId || null }, user.id)
      )
    }
  })
  const section = artifactSection({
    title: 'User tests',
    form,
    emptyText: 'No user tests yet.',
    root: live.doc.getMap('tests'),
    makeCard: (id, map) => testCard(ctx, id, map, hooks),
    className: 'test-grid'
  })
  const refresh = () => {
    summarizeAll()
    fillOptions(inputs.prototypeId, [
      ['', '(none)'],
      ...optionsOf(live, 'prototypes', (p) => str(p, 'title'))
    ])
    for (const hook of hooks) hook()
  }
  const stops = ['testResults', 'tests', 'prototypes'].map((root) =>
    onRootChange(live.doc.getMap(root), refresh)
  )
  return {
    el: h('div', { class: 'phase phase-test' }, overall, section.el),
    destroy() {
      stops.forEach((s) => s())
      section.destroy()
      hooks.clear()
    }
  }
}
