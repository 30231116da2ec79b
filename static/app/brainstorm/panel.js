// The Brainstorm panel of the Ideate view: for everyone the prompt, the phase, the shared
// countdown, my votes left and "Follow facilitator"; for facilitators the controls (pause /
// resume, extend, next phase, reveal tallies, summon, end); for owners and admins the start
// form; and the ranked results. docs/ui.md, Brainstorm.
import { h, field, newId, announce, batched } from '../dom.js'
import { str } from '../schema.js'
import { BRAINSTORM_START } from '../contract.js'
import { PHASES, PHASE_NAMES, remainingMs } from './client.js'

// The server's bounds for starting a session (contract.js); the form counts whole minutes.
const MAX_MINUTES = Math.floor(BRAINSTORM_START.duration_s.maximum / 60)
const MIN_VOTES = BRAINSTORM_START.votes_per_person.minimum
const MAX_VOTES = BRAINSTORM_START.votes_per_person.maximum

const HINTS = {
  silent: [
    'Write your ideas: your new notes are hidden from everyone until the reveal.',
    'Participants are writing notes that nobody sees until the reveal.'
  ],
  reveal: [
    'Every hidden note is on the board now. Notes written at the same spot overlap: “Spread out overlapping notes” lays them side by side.',
    'Every hidden note is on the board now.'
  ],
  clustering: [
    'Group the notes: choose a cluster for a selected note, or add clusters next to the board.',
    'The team is grouping the notes into clusters.'
  ],
  voting: [
    'Vote on the ideas you like with “+ Vote” on a note; “−” takes a vote back until voting closes.',
    'The team is voting. Viewers watch.'
  ],
  results: [
    'Voting is closed. The ideas ranked by votes:',
    'Voting is closed. The ideas ranked by votes:'
  ]
}

/** 75 → "01:15", 3725 → "1:02:05". @param {number} seconds */
export function formatClock(seconds) {
  const s = Math.max(0, Math.floor(seconds))
  const two = (n) => String(n).padStart(2, '0')
  const hours = Math.floor(s / 3600)
  const rest = `${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`
  return hours ? `${hours}:${rest}` : rest
}

/**
 * The shared countdown, ticking when the displayed second changes (so two screens flip
 * together). `data-remaining` has the whole seconds shown, `data-state` running / paused /
 * up / ended.
 * @param {import('./client.js').BrainstormClient} client
 * @param {Record<string, any>} [attrs]
 */
export function countdown(client, attrs = {}) {
  const el = h('span', { class: 'bs-timer', ...attrs })
  let timer = 0
  const tick = () => {
    clearTimeout(timer)
    timer = 0
    const state = client.snapshot
    if (!state || !state.timer) {
      el.textContent = ''
      delete el.dataset.remaining
      return
    }
    const ms = remainingMs(state, client.skew)
    const seconds = Math.ceil(ms / 1000)
    const running = Boolean(state.timer.running) && !state.ended
    el.textContent = formatClock(seconds)
    el.dataset.remaining = String(seconds)
    el.dataset.state = state.ended
      ? 'ended'
      : !running
        ? 'paused'
        : seconds === 0
          ? 'up'
          : 'running'
    el.title = state.ended
      ? 'The session ended'
      : !running
        ? 'Paused'
        : seconds === 0
          ? 'Time is up'
          : 'Time left'
    if (running && ms > 0) timer = setTimeout(tick, (ms % 1000 || 1000) + 15)
  }
  client.addEventListener('change', tick)
  tick()
  return {
    el,
    destroy() {
      clearTimeout(timer)
      client.removeEventListener('change', tick)
    }
  }
}

/** A switch that still works inside a viewer's disabled fieldset (it is no form control). */
function toggle(text, onChange) {
  const el = h(
    'span',
    { class: 'switch', role: 'switch', tabindex: '0', 'aria-checked': 'false' },
    h('span', { class: 'switch-track', 'aria-hidden': 'true' }),
    h('span', { class: 'switch-label', text })
  )
  const flip = () => onChange(el.getAttribute('aria-checked') !== 'true')
  el.addEventListener('click', flip)
  el.addEventListener('keydown', (event) => {
    if (event.key === ' ' || event.key === 'Enter') {
      event.preventDefault()
      flip()
    }
  })
  return el
}

/**
 * A number input with its label.
 * @param {string} label
 * @param {{min?: number, max?: number, value?: number | string, placeholder?: string,
 *   hint?: string}} opts
 */
function numberField(label, { min, max, value = '', placeholder = '', hint = '' }) {
  const input = h('input', {
    type: 'number',
    min,
    max,
    step: 1,
    value,
    placeholder,
    inputmode: 'numeric'
  })
  return { input, el: field(label, input, { hint }) }
}

/**
 * The form that starts a session (owners, admins).
 * @param {import('./client.js').BrainstormClient} client
 * @param {Array<{user_id: string, name: string, role: string}>} team
 */
function startForm(client, team) {
  const prompt = h('textarea', {
    rows: 2,
    maxlength: BRAINSTORM_START.prompt.maxLength,
    required: true
  })
  const duration = numberField('Duration (minutes)', { min: 1, max: MAX_MINUTES, value: 5 })
  const votes = numberField('Votes per person', { min: MIN_VOTES, max: MAX_VOTES, value: 3 })
  const stacking = h('input', { type: 'checkbox' })
  const anonymous = h('input', { type: 'checkbox' })
  // members (and other owners) may be named facilitators too; owners and admins always are
  const helpers = team.filter(
    (m) => m.user_id !== client.user.id && (m.role === 'member' || m.role === 'owner')
  )
  /** @type {Array<[string, HTMLInputElement]>} */
  const picks = helpers.map((m) => [m.user_id, h('input', { type: 'checkbox', value: m.user_id })])
  const cofacilitators = picks.length
    ? h(
        'fieldset',
        { class: 'bs-cofacilitators' },
        h('legend', { text: 'Co-facilitators (optional)' }),
        ...picks.map(([id, box]) =>
          h('label', { class: 'check' }, box, ` ${helpers.find((m) => m.user_id === id).name}`)
        )
      )
    : null
  const error = h('p', { class: 'form-error', role: 'alert' })
  const submit = h('button', { type: 'submit', class: 'primary', text: 'Start brainstorm' })
  const form = h(
    'form',
    { class: 'bs-start-form' },
    field('Prompt', prompt, { hint: 'What should people come up with ideas for?' }),
    h(
      'div',
      { class: 'bs-start-row' },
      duration.el,
      votes.el,
      h('label', { class: 'check' }, stacking, ' Allow several votes on one idea'),
      h('label', { class: 'check' }, anonymous, ' Anonymous (no authors on notes and results)')
    ),
    cofacilitators,
    error,
    h('div', { class: 'form-actions' }, submit)
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    error.textContent = ''
    const text = prompt.value.trim()
    const minutes = Number(duration.input.value)
    const perPerson = Number(votes.input.value)
    if (!text) {
      error.textContent = 'Write a prompt.'
      prompt.focus()
      return
    }
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES) {
      error.textContent = `The duration is 1 to ${MAX_MINUTES} minutes.`
      duration.input.focus()
      return
    }
    if (!Number.isInteger(perPerson) || perPerson < MIN_VOTES || perPerson > MAX_VOTES) {
      error.textContent = `Each person has ${MIN_VOTES} to ${MAX_VOTES} votes.`
      votes.input.focus()
      return
    }
    submit.disabled = true
    const started = await client.start({
      prompt: text,
      duration_s: minutes * 60,
      votes_per_person: perPerson,
      allow_stacking: stacking.checked,
      anonymous: anonymous.checked,
      facilitators: picks.filter(([, box]) => box.checked).map(([id]) => id)
    })
    submit.disabled = false
    if (started) {
      prompt.value = ''
      for (const [, box] of picks) box.checked = false
    } else if (client.message) {
      error.textContent = client.message.text
    }
  })
  return form
}

/**
 * @param {{client: import('./client.js').BrainstormClient, board: import('../board.js').Board,
 *   members: Map<string, string>, team?: Array<{user_id: string, name: string, role: string}>}} opts
 *   members: names by user id; team: the members list (for naming co-facilitators)
 */
export function brainstormPanel({ client, board, members, team = [] }) {
  const titleId = newId('bs')
  const stateBadge = h('span', { class: 'bs-phase-badge' })
  const clock = countdown(client, { role: 'timer', 'aria-label': 'Time left' })
  const votesLeft = h('span', { class: 'bs-votes' })
  const followSwitch = toggle('Follow facilitator', (on) => client.setFollowing(on))
  const followNote = h('span', { class: 'bs-follow-note' })
  const follow = h('span', { class: 'bs-follow' }, followSwitch, followNote)
  const prompt = h('p', { class: 'bs-prompt' })
  const steps = h(
    'ol',
    { class: 'bs-steps', 'aria-label': 'Brainstorm phases' },
    ...PHASES.map((phase) => h('li', { dataset: { phase }, text: PHASE_NAMES[phase] }))
  )
  const hint = h('p', { class: 'bs-hint' })
  const info = h('p', { class: 'bs-info', role: 'status' })
  const error = h('p', { class: 'bs-error', role: 'alert' })

  // facilitator controls
  const pause = h('button', { type: 'button', text: 'Pause timer' })
  const extend = h('button', {
    type: 'button',
    text: '+1 min',
    'aria-label': 'Add a minute to the timer'
  })
  const nextTimer = numberField('Timer for the next phase (minutes)', {
    min: 1,
    max: MAX_MINUTES,
    placeholder: 'keep'
  })
  nextTimer.el.classList.add('bs-next-timer')
  const next = h('button', { type: 'button', class: 'primary', text: 'Next phase' })
  const tallies = h('button', { type: 'button', text: 'Reveal tallies' })
  const summon = h('button', { type: 'button', text: 'Summon everyone here' })
  const end = h('button', { type: 'button', class: 'danger', text: 'End session' })
  const endNow = h('button', { type: 'button', class: 'danger', text: 'End now' })
  const endCancel = h('button', { type: 'button', class: 'ghost', text: 'Cancel' })
  const endConfirm = h(
    'span',
    { class: 'bs-confirm', role: 'group', 'aria-label': 'End the session?', hidden: true },
    h('span', { text: 'End the session for everyone?' }),
    endNow,
    endCancel
  )
  const controls = h(
    'div',
    { class: 'bs-controls', role: 'group', 'aria-label': 'Facilitator controls' },
    h('div', { class: 'bs-control-group' }, pause, extend),
    h('div', { class: 'bs-control-group' }, nextTimer.el, next),
    h('div', { class: 'bs-control-group' }, tallies, summon),
    h('div', { class: 'bs-control-group' }, end, endConfirm)
  )

  const resultsHeading = newId('bs-results')
  const resultsSummary = h('p', { class: 'bs-results-summary' })
  const resultsList = h('ol', { class: 'bs-results', 'aria-labelledby': resultsHeading })
  const results = h(
    'section',
    { class: 'bs-results-section', 'aria-labelledby': resultsHeading, hidden: true },
    h('h3', { id: resultsHeading, text: 'Results' }),
    resultsSummary,
    resultsList
  )

  const start = h(
    'details',
    { class: 'bs-start' },
    h('summary', { text: 'Start a brainstorm' }),
    startForm(client, team)
  )
  const empty = h('p', { class: 'bs-empty' })
  const session = h('div', { class: 'bs-session' }, prompt, steps, hint, controls, results)

  const el = h(
    'section',
    { class: 'brainstorm panel', 'aria-labelledby': titleId, dataset: { phase: 'none' } },
    h(
      'div',
      { class: 'bs-head' },
      h('h2', { id: titleId, text: 'Brainstorm' }),
      stateBadge,
      clock.el,
      votesLeft,
      follow
    ),
    empty,
    session,
    h('div', { class: 'bs-messages' }, info, error),
    start
  )

  let busy = false
  /** Run a facilitator action with the controls disabled meanwhile. */
  const run = async (fn) => {
    if (busy) return
    busy = true
    render()
    try {
      await fn()
    } finally {
      busy = false
      render()
    }
  }
  pause.addEventListener('click', () =>
    run(() => (client.snapshot?.timer?.running ? client.pause() : client.resume()))
  )
  extend.addEventListener('click', () => run(() => client.extend(60)))
  next.addEventListener('click', () => {
    const state = client.snapshot
    const target = state ? PHASES[PHASES.indexOf(state.phase) + 1] : null
    if (!target) return
    const raw = nextTimer.input.value.trim()
    const minutes = raw ? Number(raw) : null
    if (minutes !== null && (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440)) {
      client.say(
        'The timer of the next phase is 1 to 1440 minutes (or empty to keep the timer).',
        'error'
      )
      nextTimer.input.focus()
      return
    }
    run(async () => {
      if (await client.advance(target, minutes ? minutes * 60 : null)) nextTimer.input.value = ''
    })
  })
  tallies.addEventListener('click', () => run(() => client.revealTallies()))
  summon.addEventListener('click', () => run(() => client.summon(board.view())))
  end.addEventListener('click', () => {
    endConfirm.hidden = false
    end.hidden = true
    endNow.focus()
  })
  endCancel.addEventListener('click', () => {
    endConfirm.hidden = true
    end.hidden = false
    end.focus()
  })
  endNow.addEventListener('click', () =>
    run(async () => {
      endConfirm.hidden = true
      end.hidden = false
      await client.end()
    })
  )

  const clusterName = (data, id) => {
    if (!id) return ''
    const named = (data.clusters || []).find((c) => c.cluster_id === id)
    if (named && named.name) return named.name
    const cluster = board.clusters.get(id)
    return cluster && typeof cluster.get === 'function' ? str(cluster, 'name') : ''
  }
  const renderResults = (data) => {
    const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`
    resultsSummary.textContent =
      `${plural(data.votes, 'vote')} from ${plural(data.voters, 'voter')}` +
      (data.votes_on_deleted_ideas
        ? ` (${plural(data.votes_on_deleted_ideas, 'vote')} on deleted ideas)`
        : '')
    resultsList.replaceChildren(
      ...data.ideas.map((idea) => {
        const cluster = clusterName(data, idea.cluster_id)
        const author = data.anonymous
          ? 'anonymous'
          : idea.author_name || members.get(idea.author_id) || 'unknown author'
        return h(
          'li',
          { class: 'bs-result', dataset: { rank: String(idea.rank), idea: idea.idea_id } },
          h('span', { class: 'bs-rank', text: `#${idea.rank}` }),
          h('span', { class: 'bs-result-text', text: idea.text || '(no text)' }),
          h('span', { class: 'bs-result-votes', text: plural(idea.votes, 'vote') }),
          h('span', {
            class: cluster ? 'bs-result-cluster' : 'bs-result-cluster none',
            text: cluster ? `Cluster: ${cluster}` : 'No cluster'
          }),
          h('span', {
            class: 'bs-result-author',
            text: data.anonymous ? 'anonymous' : `by ${author}`
          })
        )
      })
    )
  }

  const render = () => {
    const state = client.snapshot
    const details =
      client.details && state && client.details.id === state.sessionId ? client.details : null
    const running = client.running()
    const facilitating = client.facilitates() && running
    el.dataset.phase = state ? (state.ended ? 'ended' : state.phase) : 'none'

    empty.hidden = Boolean(state)
    empty.textContent = !client.loaded
      ? client.roomError
        ? `The brainstorm is unavailable: ${client.roomError}`
        : 'Connecting…'
      : client.canStart()
        ? 'No brainstorm yet. Start one: everyone on the team joins here.'
        : 'No brainstorm yet. The project’s owners can start one.'
    session.hidden = !state
    start.hidden = !client.loaded || !client.canStart() || running
    if (!state) start.open = true
    else if (running) start.open = false
    start.querySelector('summary').textContent = state
      ? 'Start a new brainstorm'
      : 'Start a brainstorm'

    clock.el.hidden = !state || state.ended
    stateBadge.hidden = !state
    follow.hidden = !running || state.lead === client.user.id
    votesLeft.hidden = true
    controls.hidden = !facilitating
    results.hidden = true
    if (!state) return

    stateBadge.textContent = state.ended ? 'Ended' : PHASE_NAMES[state.phase] || state.phase
    stateBadge.dataset.phase = state.ended ? 'ended' : state.phase
    prompt.textContent = state.prompt
    for (const step of /** @type {HTMLCollectionOf<HTMLElement>} */ (steps.children)) {
      const current = step.dataset.phase === state.phase
      if (current) step.setAttribute('aria-current', 'step')
      else step.removeAttribute('aria-current')
      step.classList.toggle(
        'done',
        PHASES.indexOf(step.dataset.phase) < PHASES.indexOf(state.phase)
      )
    }
    const [mine, watching] = HINTS[state.phase] || ['', '']
    let text = client.contributes() ? mine : watching
    if (state.ended) {
      text = `This brainstorm ended${state.endedAt ? ` at ${new Date(state.endedAt).toLocaleTimeString()}` : ''}. The ideas ranked by votes:`
    } else if (state.phase === 'voting') {
      text += state.talliesVisible
        ? ' Tallies are shown.'
        : ' Tallies are hidden until the facilitator shows them.'
    }
    hint.textContent = text

    // my votes
    const votes = client.votes
    if (state.phase === 'voting' && !state.ended) {
      votesLeft.hidden = false
      if (!client.contributes()) {
        votesLeft.textContent = 'Viewers do not vote'
        delete votesLeft.dataset.remaining
      } else if (votes) {
        votesLeft.textContent = `${client.votesLeftText()}${votes.allow_stacking ? ' · several on one idea allowed' : ' · one per idea'}`
        votesLeft.dataset.remaining = String(votes.remaining)
      }
    }

    // following
    if (!follow.hidden) {
      followSwitch.setAttribute('aria-checked', client.following ? 'true' : 'false')
      const leader = client.leader()
      followNote.textContent = !client.following
        ? ''
        : leader
          ? `following ${leader.name}`
          : 'the facilitator is not on the board'
    }

    // facilitator controls
    if (facilitating) {
      const target = PHASES[PHASES.indexOf(state.phase) + 1]
      const runningTimer = Boolean(state.timer && state.timer.running)
      pause.textContent = runningTimer ? 'Pause timer' : 'Resume timer'
      next.hidden = !target
      nextTimer.el.hidden = !target
      next.textContent = target ? `Next phase: ${PHASE_NAMES[target]}` : ''
      tallies.hidden = state.phase !== 'voting' || state.talliesVisible
      for (const button of [pause, extend, next, tallies, summon, end, endNow]) {
        button.disabled = busy
      }
    }

    // results
    const data = details && details.results
    if (data && (state.phase === 'results' || state.ended)) {
      results.hidden = false
      renderResults(data)
    }
  }

  const showMessage = () => {
    const message = client.message
    info.textContent = message && message.kind !== 'error' ? message.text : ''
    error.textContent = message && message.kind === 'error' ? message.text : ''
  }
  const onPhase = (event) => {
    const state = event.detail
    if (!state) return
    announce(state.ended ? 'The brainstorm ended.' : `Brainstorm: ${PHASE_NAMES[state.phase]}`)
    // what was said in the last phase ("Voted for …") is stale now
    if (client.message && client.message.kind !== 'error') {
      client.message = null
      showMessage()
    }
  }
  const onChange = batched(render)
  client.addEventListener('change', onChange)
  client.addEventListener('follow', onChange)
  client.addEventListener('message', showMessage)
  client.addEventListener('phase', onPhase)
  const onAwareness = batched(() => {
    if (client.following) render()
  })
  client.live.awareness.on('change', onAwareness)
  render()
  showMessage()
  return {
    el,
    destroy() {
      clock.destroy()
      client.removeEventListener('change', onChange)
      client.removeEventListener('follow', onChange)
      client.removeEventListener('message', showMessage)
      client.removeEventListener('phase', onPhase)
      client.live.awareness.off('change', onAwareness)
    }
  }
}

/**
 * A link in the phase tabs while a session runs: its phase and countdown, to the idea board.
 * @param {import('./client.js').BrainstormClient} client
 * @param {string} href
 */
export function brainstormChip(client, href) {
  const clock = countdown(client, { 'aria-hidden': 'true' })
  const phase = h('span', { class: 'bs-chip-phase' })
  const el = h(
    'a',
    { class: 'bs-chip', href, hidden: true },
    h('span', { class: 'bs-chip-name', text: 'Brainstorm' }),
    phase,
    clock.el
  )
  const render = () => {
    const state = client.snapshot
    el.hidden = !client.running()
    if (!state) return
    phase.textContent = PHASE_NAMES[state.phase] || state.phase
    el.setAttribute('aria-label', `Brainstorm: ${PHASE_NAMES[state.phase]}. Go to the idea board`)
  }
  client.addEventListener('change', render)
  render()
  return {
    el,
    destroy() {
      clock.destroy()
      client.removeEventListener('change', render)
    }
  }
}
