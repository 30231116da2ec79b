// Test: user-test scripts (linked to a prototype), each participant's result, and a summary
// (results per outcome, average rating) per test and for the whole project.
import { h } from '../dom.js'
import { createForm, fillOptions } from '../forms.js'
import { boundText, boundSelect, refreshBound } from '../fields.js'
import { cardList } from '../collection.js'
import {
  addArtifact,
  entries,
  str,
  OUTCOMES,
  RATING,
  LIMITS,
  fieldLabel,
  valueLabel
} from '../schema.js'
import { t, formatNumber } from '../i18n.js'
import { artifactSection, card, deleteButton, optionsOf, onRootChange } from './common.js'

/** The outcomes, named in the current language. @returns {Array<[string, string]>} */
const outcomeOptions = () => OUTCOMES.map((o) => [o, valueLabel('outcome', o)])
const RATINGS = Array.from(
  { length: RATING.maximum - RATING.minimum + 1 },
  (_, i) => RATING.minimum + i
)
/** "3 / 5" for each rating. @returns {Array<[string, string]>} */
const ratingOptions = () =>
  RATINGS.map((n) => [String(n), t('test.rating_option', { n, max: RATING.maximum })])
/** A label of a test's field. @param {string} name */
const testLabel = (name) => fieldLabel('tests', name)
/** A label of a test result's field. @param {string} name */
const resultLabel = (name) => fieldLabel('testResults', name)
/** The "(none)" choice of the prototype selects. @returns {[string, string]} */
const noPrototype = () => ['', t('common.none')]
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
    item(t('test.results'), formatNumber(s.total)),
    ...OUTCOMES.map((o) => item(valueLabel('outcome', o), formatNumber(s.counts[o]))),
    item(
      t('test.average_rating'),
      s.average === null
        ? '–'
        : t('test.average', {
            average: formatNumber(s.average, {
              minimumFractionDigits: 1,
              maximumFractionDigits: 1
            }),
            max: RATING.maximum,
            rated: s.rated
          })
    )
  )
}

function resultRow(ctx, id, map) {
  const { live } = ctx
  const participant = boundText(live, map, 'participant', {
    label: resultLabel('participant'),
    maxLength: LIMITS.participant
  })
  const outcome = boundSelect(live, map, 'outcome', {
    label: resultLabel('outcome'),
    options: outcomeOptions
  })
  const rating = boundSelect(live, map, 'rating', {
    label: resultLabel('rating'),
    emptyLabel: '–',
    options: ratingOptions,
    toValue: toRating
  })
  const notes = boundText(live, map, 'notes', {
    label: resultLabel('notes'),
    multiline: true,
    rows: 2,
    maxLength: LIMITS.notes
  })
  const who = () => str(map, 'participant')
  const label = () => (who() ? t('test.result_of', { name: who() }) : t('test.result_of_someone'))
  const rowLabel = () => t('test.result_row', { name: who() || t('test.participant') })
  const el = h(
    'li',
    { class: 'result', 'aria-label': rowLabel() },
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
      el.setAttribute('aria-label', rowLabel())
    }
  }
}

function testCard(ctx, id, map, hooks) {
  const { live, user } = ctx
  const title = boundText(live, map, 'title', {
    label: testLabel('title'),
    required: true,
    maxLength: LIMITS.title
  })
  const prototype = boundSelect(live, map, 'prototypeId', {
    label: testLabel('prototypeId'),
    emptyLabel: noPrototype()[1],
    options: () => optionsOf(live, 'prototypes', (p) => str(p, 'title'))
  })
  const script = boundText(live, map, 'script', {
    label: testLabel('script'),
    multiline: true,
    rows: 4,
    maxLength: LIMITS.script
  })
  const rows = h('ul', { class: 'results', 'aria-label': t('test.results') })
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
    summary.replaceChildren(
      summaryList(t('test.summary_of', { title: str(map, 'title') }), summarize(mine))
    )
  }
  summarizeThis()
  const hook = () => {
    prototype.refresh()
    summarizeThis()
  }
  hooks.add(hook)
  const { form } = createForm({
    title: t('test.add_a_result'),
    className: 'inline result-form',
    submit: t('test.add_result'),
    fields: [
      { name: 'participant', label: resultLabel('participant'), maxLength: LIMITS.participant },
      { name: 'outcome', label: resultLabel('outcome'), type: 'select', options: outcomeOptions },
      {
        name: 'rating',
        label: resultLabel('rating'),
        type: 'select',
        options: () => [['', '–'], ...ratingOptions()]
      },
      { name: 'notes', label: resultLabel('notes'), type: 'textarea', maxLength: LIMITS.notes }
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
  const c = card('User test', name, () => t('test.untitled'))
  c.el.append(
    h(
      'header',
      { class: 'card-head' },
      c.title,
      deleteButton(live, 'tests', id, () => t('test.delete_label', { name: name() }))
    ),
    h('div', { class: 'card-fields two' }, title.el, prototype.el),
    script.el,
    h('h4', { text: t('test.results') }),
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
      h('h2', { text: t('test.summary_all') }),
      h('p', { text: t('test.count', { n: entries(live.doc, 'tests').length }) }),
      summaryList(t('test.summary_all'), summarize(all))
    )
  }
  summarizeAll()
  const { form, inputs } = createForm({
    title: t('test.new'),
    submit: t('test.add'),
    fields: [
      { name: 'title', label: t('test.form_title'), required: true, maxLength: LIMITS.title },
      {
        name: 'prototypeId',
        label: t('test.form_prototype'),
        type: 'select',
        options: () => [noPrototype(), ...optionsOf(live, 'prototypes', (p) => str(p, 'title'))]
      },
      { name: 'script', label: t('test.form_script'), type: 'textarea', maxLength: LIMITS.script }
    ],
    onSubmit: ({ title, prototypeId, script }) => {
      live.write(() =>
        addArtifact(live.doc, 'tests', { title, script, prototypeId: prototypeId || null }, user.id)
      )
    }
  })
  const section = artifactSection({
    title: t('test.tests'),
    form,
    emptyText: t('test.none_yet'),
    root: live.doc.getMap('tests'),
    makeCard: (id, map) => testCard(ctx, id, map, hooks),
    className: 'test-grid'
  })
  const refresh = () => {
    summarizeAll()
    fillOptions(inputs.prototypeId, [
      noPrototype(),
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
