// The Brainstorm panel of the Ideate view: for everyone the prompt, the phase, the shared
// countdown, my votes left and "Follow facilitator"; for facilitators the controls (pause /
// resume, extend, next phase, reveal tallies, summon, end); for owners and admins the start
// form; and the ranked results. docs/ui.md, Brainstorm.
//
// Every word comes from the catalogues (i18n.js). The panel, the countdown and the chip follow a
// change of language by themselves (onLocaleChange, dropped in destroy): they relabel in place,
// keeping the session, the running countdown and what was typed in their forms.
import { h, field, newId, announce, batched } from '../dom.js'
import { str } from '../schema.js'
import { BRAINSTORM_START } from '../contract.js'
import { t, onLocaleChange } from '../i18n.js'
import {
  PHASES,
  TIME_UP_RULES,
  phaseName,
  ruleName,
  messageText,
  remainingMs,
  formatClock
} from './client.js'
import { timeAlarm } from './alarm.js'
import { pastSessions, resultItem, resultLinks } from './past.js'

// The server's bounds for starting a session (contract.js); the form counts whole minutes.
const MAX_MINUTES = Math.floor(BRAINSTORM_START.duration_s.maximum / 60)
const MIN_VOTES = BRAINSTORM_START.votes_per_person.minimum
const MAX_VOTES = BRAINSTORM_START.votes_per_person.maximum

/** Per phase, the hint for those who write and vote, and for those who watch (message keys). */
const HINTS = {
  silent: ['brainstorm.hint.silent', 'brainstorm.hint.silent_watch'],
  reveal: ['brainstorm.hint.reveal', 'brainstorm.hint.reveal_watch'],
  clustering: ['brainstorm.hint.clustering', 'brainstorm.hint.clustering_watch'],
  voting: ['brainstorm.hint.voting', 'brainstorm.hint.voting_watch'],
  results: ['brainstorm.hint.results', 'brainstorm.hint.results']
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
      ? t('brainstorm.timer.ended')
      : !running
        ? t('brainstorm.timer.paused', { minutes: Math.ceil(seconds / 60) })
        : seconds === 0
          ? t('brainstorm.timer.up')
          : t('brainstorm.timer.left', { minutes: Math.ceil(seconds / 60) })
    if (running && ms > 0) timer = setTimeout(tick, (ms % 1000 || 1000) + 15)
  }
  client.addEventListener('change', tick)
  const stopLocale = onLocaleChange(tick)
  tick()
  return {
    el,
    destroy() {
      clearTimeout(timer)
      client.removeEventListener('change', tick)
      stopLocale()
    }
  }
}

/**
 * A switch that still works inside a viewer's disabled fieldset (it is no form control).
 * @param {(on: boolean) => void} onChange
 */
function toggle(onChange) {
  const text = h('span', { class: 'switch-label' })
  const el = h(
    'span',
    { class: 'switch', role: 'switch', tabindex: '0', 'aria-checked': 'false' },
    h('span', { class: 'switch-track', 'aria-hidden': 'true' }),
    text
  )
  const flip = () => onChange(el.getAttribute('aria-checked') !== 'true')
  el.addEventListener('click', flip)
  el.addEventListener('keydown', (event) => {
    if (event.key === ' ' || event.key === 'Enter') {
      event.preventDefault()
      flip()
    }
  })
  return { el, text }
}

/**
 * A number input with its label (set by relabel).
 * @param {{min?: number, max?: number, value?: number | string}} opts
 */
function numberField({ min, max, value = '' }) {
  const input = h('input', { type: 'number', min, max, step: 1, value, inputmode: 'numeric' })
  const el = field('', input)
  const label = /** @type {HTMLLabelElement} */ (el.querySelector('label'))
  return { input, el, label }
}

/**
 * A select of the time's-up rules (`on_time_up`) with its label; relabel() words both.
 * @param {string} [className]
 */
function ruleField(className = '') {
  const select = h('select', {}, ...TIME_UP_RULES.map((value) => h('option', { value })))
  const el = field('', select, { className })
  const label = /** @type {HTMLLabelElement} */ (el.querySelector('label'))
  const relabel = () => {
    label.textContent = t('brainstorm.time_up_rule')
    for (const option of select.options) option.textContent = ruleName(option.value)
  }
  return { select, el, relabel }
}

/**
 * A `<label class="check">` around a checkbox, its text set by relabel.
 * @param {HTMLInputElement} box
 */
function checkLabel(box) {
  const text = h('span')
  return { el: h('label', { class: 'check' }, box, ' ', text), text }
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
  const promptField = field('', prompt, { hint: ' ' })
  const promptLabel = /** @type {HTMLElement} */ (promptField.querySelector('label'))
  const promptHint = /** @type {HTMLElement} */ (promptField.querySelector('.hint'))
  const duration = numberField({ min: 1, max: MAX_MINUTES, value: 5 })
  const votes = numberField({ min: MIN_VOTES, max: MAX_VOTES, value: 3 })
  const stacking = h('input', { type: 'checkbox' })
  const anonymous = h('input', { type: 'checkbox' })
  const stackingLabel = checkLabel(stacking)
  const anonymousLabel = checkLabel(anonymous)
  const rule = ruleField('bs-rule-field')
  const cofacilitatorsLegend = h('legend')
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
        cofacilitatorsLegend,
        ...picks.map(([id, box]) =>
          h('label', { class: 'check' }, box, ` ${helpers.find((m) => m.user_id === id).name}`)
        )
      )
    : null
  const error = h('p', { class: 'form-error', role: 'alert' })
  const submit = h('button', { type: 'submit', class: 'primary' })
  const form = h(
    'form',
    { class: 'bs-start-form' },
    promptField,
    h(
      'div',
      { class: 'bs-start-row' },
      duration.el,
      votes.el,
      rule.el,
      stackingLabel.el,
      anonymousLabel.el
    ),
    cofacilitators,
    error,
    h('div', { class: 'form-actions' }, submit)
  )
  /**
   * The error shown, as a key and values (relabelled with the rest), or a worded text.
   * @type {{key?: string, values?: Record<string, unknown>, text?: string} | null}
   */
  let problem = null
  const showProblem = () => {
    error.textContent = problem ? messageText({ kind: 'error', at: 0, ...problem }) : ''
  }
  const relabel = () => {
    promptLabel.textContent = t('brainstorm.start.prompt')
    promptHint.textContent = t('brainstorm.start.prompt_hint')
    duration.label.textContent = t('brainstorm.start.duration')
    votes.label.textContent = t('brainstorm.start.votes')
    stackingLabel.text.textContent = t('brainstorm.start.stacking')
    anonymousLabel.text.textContent = t('brainstorm.start.anonymous')
    rule.relabel()
    cofacilitatorsLegend.textContent = t('brainstorm.start.cofacilitators')
    submit.textContent = t('brainstorm.start.submit')
    showProblem()
  }
  relabel()
  /** @param {{key?: string, values?: Record<string, unknown>, text?: string} | null} what */
  const fail = (what) => {
    problem = what
    showProblem()
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    fail(null)
    const text = prompt.value.trim()
    const minutes = Number(duration.input.value)
    const perPerson = Number(votes.input.value)
    if (!text) {
      fail({ key: 'brainstorm.start.prompt_missing' })
      prompt.focus()
      return
    }
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES) {
      fail({ key: 'brainstorm.start.duration_invalid', values: { max: MAX_MINUTES } })
      duration.input.focus()
      return
    }
    if (!Number.isInteger(perPerson) || perPerson < MIN_VOTES || perPerson > MAX_VOTES) {
      fail({ key: 'brainstorm.start.votes_invalid', values: { min: MIN_VOTES, max: MAX_VOTES } })
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
      on_time_up: rule.select.value,
      facilitators: picks.filter(([, box]) => box.checked).map(([id]) => id)
    })
    submit.disabled = false
    if (started) {
      prompt.value = ''
      for (const [, box] of picks) box.checked = false
    } else if (client.message) {
      fail(client.message)
    }
  })
  return { el: form, relabel }
}

/**
 * @param {{client: import('./client.js').BrainstormClient, board: import('../board.js').Board,
 *   members: Map<string, string>, team?: Array<{user_id: string, name: string, role: string}>}} opts
 *   members: names by user id; team: the members list (for naming co-facilitators)
 */
export function brainstormPanel({ client, board, members, team = [] }) {
  const titleId = newId('bs')
  const title = h('h2', { id: titleId })
  const stateBadge = h('span', { class: 'bs-phase-badge' })
  const clock = countdown(client, { role: 'timer' })
  const votesLeft = h('span', { class: 'bs-votes' })
  const followSwitch = toggle((on) => client.setFollowing(on))
  const followNote = h('span', { class: 'bs-follow-note' })
  const follow = h('span', { class: 'bs-follow' }, followSwitch.el, followNote)
  const prompt = h('p', { class: 'bs-prompt' })
  const steps = h(
    'ol',
    { class: 'bs-steps' },
    ...PHASES.map((phase) => h('li', { dataset: { phase } }))
  )
  const hint = h('p', { class: 'bs-hint' })
  const info = h('p', { class: 'bs-info', role: 'status' })
  const error = h('p', { class: 'bs-error', role: 'alert' })
  // the session's counts (only counts: never who) and its time's-up rule
  const progress = h('span', { class: 'bs-progress' })
  const ruleNow = h('span', { class: 'bs-rule' })
  const facts = h('p', { class: 'bs-facts' }, progress, ruleNow)
  const writingLock = h('p', { class: 'bs-writing-locked', role: 'status' })

  // facilitator controls
  const pause = h('button', { type: 'button' })
  const extend = h('button', { type: 'button' })
  const nextTimer = numberField({ min: 1, max: MAX_MINUTES })
  nextTimer.el.classList.add('bs-next-timer')
  const next = h('button', { type: 'button', class: 'primary' })
  const tallies = h('button', { type: 'button' })
  const summon = h('button', { type: 'button' })
  const lock = h('button', { type: 'button', class: 'bs-lock' })
  const ruleControl = ruleField('bs-rule-control')
  const end = h('button', { type: 'button', class: 'danger' })
  const endNow = h('button', { type: 'button', class: 'danger' })
  const endCancel = h('button', { type: 'button', class: 'ghost' })
  const endQuestion = h('span')
  const endConfirm = h(
    'span',
    { class: 'bs-confirm', role: 'group', hidden: true },
    endQuestion,
    endNow,
    endCancel
  )
  const controls = h(
    'div',
    { class: 'bs-controls', role: 'group' },
    h('div', { class: 'bs-control-group' }, pause, extend),
    h('div', { class: 'bs-control-group' }, nextTimer.el, next),
    h('div', { class: 'bs-control-group' }, tallies, summon, lock),
    h('div', { class: 'bs-control-group' }, ruleControl.el),
    h('div', { class: 'bs-control-group' }, end, endConfirm)
  )
  /** What a facilitator steers with: disabled while an action of theirs is under way. */
  const steering = [pause, extend, next, tallies, summon, lock, ruleControl.select, end, endNow]

  const resultsHeading = newId('bs-results')
  const resultsTitle = h('h3', { id: resultsHeading })
  const resultsSummary = h('p', { class: 'bs-results-summary' })
  const resultsList = h('ol', { class: 'bs-results', 'aria-labelledby': resultsHeading })
  // Folded with one click, and never taller than part of the screen: the board stays in
  // view below it (the list scrolls).
  const downloads = h('div', { class: 'bs-downloads-slot' })
  const results = h(
    'section',
    { class: 'bs-results-section', 'aria-labelledby': resultsHeading, hidden: true },
    h(
      'details',
      { class: 'bs-results-fold', open: true },
      h('summary', {}, resultsTitle),
      resultsSummary,
      resultsList,
      downloads
    )
  )
  // ended sessions and their results, whatever runs now (past.js)
  const past = pastSessions({ client, members })

  const form = startForm(client, team)
  const startSummary = h('summary')
  const start = h('details', { class: 'bs-start' }, startSummary, form.el)
  const empty = h('p', { class: 'bs-empty' })
  const session = h(
    'div',
    { class: 'bs-session' },
    prompt,
    steps,
    hint,
    facts,
    writingLock,
    controls,
    results
  )

  const alarmSlot = h('span', { class: 'bs-alarm-slot' })
  const el = h(
    'section',
    { class: 'brainstorm panel', 'aria-labelledby': titleId, dataset: { phase: 'none' } },
    h('div', { class: 'bs-head' }, title, stateBadge, clock.el, votesLeft, follow, alarmSlot),
    empty,
    session,
    h('div', { class: 'bs-messages' }, info, error),
    start,
    past.el
  )

  const alarm = timeAlarm(client, el)
  alarmSlot.append(alarm.el)

  /** The words that do not depend on the session (render() sets the others). */
  const relabelStatic = () => {
    title.textContent = t('brainstorm.title')
    clock.el.setAttribute('aria-label', t('brainstorm.time_left'))
    followSwitch.text.textContent = t('brainstorm.follow')
    steps.setAttribute('aria-label', t('brainstorm.phases'))
    for (const step of /** @type {HTMLCollectionOf<HTMLElement>} */ (steps.children)) {
      step.textContent = phaseName(step.dataset.phase || '')
    }
    extend.textContent = t('brainstorm.extend')
    extend.setAttribute('aria-label', t('brainstorm.extend_label'))
    nextTimer.label.textContent = t('brainstorm.next_timer')
    nextTimer.input.placeholder = t('brainstorm.next_timer_keep')
    tallies.textContent = t('brainstorm.reveal_tallies')
    summon.textContent = t('brainstorm.summon')
    ruleControl.relabel()
    end.textContent = t('brainstorm.end')
    endNow.textContent = t('brainstorm.end_now')
    endCancel.textContent = t('common.cancel')
    endConfirm.setAttribute('aria-label', t('brainstorm.end_confirm_label'))
    endQuestion.textContent = t('brainstorm.end_confirm')
    controls.setAttribute('aria-label', t('brainstorm.controls'))
    resultsTitle.textContent = t('brainstorm.results')
  }

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
      client.say({ key: 'brainstorm.next_timer_invalid' }, 'error')
      nextTimer.input.focus()
      return
    }
    run(async () => {
      if (await client.advance(target, minutes ? minutes * 60 : null)) nextTimer.input.value = ''
    })
  })
  tallies.addEventListener('click', () => run(() => client.revealTallies()))
  summon.addEventListener('click', () => run(() => client.summon(board.view())))
  lock.addEventListener('click', () =>
    run(() => (client.snapshot?.boardLocked ? client.unlockBoard() : client.lockBoard()))
  )
  /** The rule the select was last set to from the session (a choice in flight stays put). */
  let shownRule = ''
  ruleControl.select.addEventListener('change', () => {
    const chosen = ruleControl.select.value // run() renders before it acts
    run(() => client.setRule(chosen))
  })
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
    if (downloads.dataset.session !== data.session_id) {
      downloads.dataset.session = data.session_id
      downloads.replaceChildren(resultLinks(client.base, data.session_id).el)
    }
    resultsSummary.textContent = t('brainstorm.results_summary', {
      votes: data.votes,
      voters: data.voters
    })
    if (data.votes_on_deleted_ideas) {
      resultsSummary.textContent += ` ${t('brainstorm.results_deleted', {
        votes: data.votes_on_deleted_ideas
      })}`
    }
    resultsList.replaceChildren(
      ...data.ideas.map((idea) =>
        resultItem(idea, data.anonymous, clusterName(data, idea.cluster_id), members)
      )
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
    const roomEnd = client.roomEnd
    empty.textContent = !client.loaded
      ? roomEnd
        ? t('brainstorm.unavailable', {
            reason: roomEnd.reason || t('brainstorm.room_closed', { code: String(roomEnd.code) })
          })
        : t('brainstorm.connecting')
      : client.canStart()
        ? t('brainstorm.empty_can_start')
        : t('brainstorm.empty')
    session.hidden = !state
    start.hidden = !client.loaded || !client.canStart() || running
    if (!state) start.open = true
    else if (running) start.open = false
    startSummary.textContent = state ? t('brainstorm.start_new') : t('brainstorm.start_first')

    clock.el.hidden = !state || state.ended
    alarmSlot.hidden = !state || state.ended
    stateBadge.hidden = !state
    follow.hidden = !running || state.lead === client.user.id
    votesLeft.hidden = true
    controls.hidden = !facilitating
    results.hidden = true
    if (!state) return

    stateBadge.textContent = state.ended ? t('brainstorm.ended_badge') : phaseName(state.phase)
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
    const hintKey = client.contributes() ? mine : watching
    let text = hintKey ? t(hintKey) : ''
    if (state.ended) {
      text = state.endedAt
        ? t('brainstorm.hint.ended_at', { at: state.endedAt })
        : t('brainstorm.hint.ended')
    } else if (state.phase === 'voting') {
      text += ` ${state.talliesVisible ? t('brainstorm.tallies_shown') : t('brainstorm.tallies_hidden')}`
    }
    hint.textContent = text

    // how far the writing and the voting are, and what the end of the time does
    const counts = state.progress
    const counting = Boolean(
      !state.ended && counts && (state.phase === 'silent' || state.phase === 'voting')
    )
    progress.hidden = !counting
    if (counting) {
      const values = {
        participants: Number(counts.participants) || 0,
        wrote: Number(counts.wrote) || 0,
        voted: Number(counts.voted) || 0
      }
      progress.textContent =
        state.phase === 'silent'
          ? t('brainstorm.progress.wrote', values)
          : t('brainstorm.progress.voted', values)
    }
    ruleNow.hidden = Boolean(state.ended) || facilitating // facilitators see it in their select
    ruleNow.textContent = t('brainstorm.rule_now', { rule: ruleName(state.onTimeUp) })
    facts.hidden = progress.hidden && ruleNow.hidden
    const stopped = client.writingLocked()
    const lockText = !stopped
      ? ''
      : facilitating
        ? t('brainstorm.writing_locked_facilitator')
        : t('brainstorm.writing_locked')
    writingLock.hidden = !stopped
    // a live region: written only when it changes, so it is read out once
    if (writingLock.textContent !== lockText) writingLock.textContent = lockText

    // my votes
    const votes = client.votes
    if (state.phase === 'voting' && !state.ended) {
      votesLeft.hidden = false
      if (!client.contributes()) {
        votesLeft.textContent = t('brainstorm.viewers_do_not_vote')
        delete votesLeft.dataset.remaining
      } else if (votes) {
        const rule = votes.allow_stacking
          ? t('brainstorm.stacking_allowed')
          : t('brainstorm.one_per_idea')
        votesLeft.textContent = `${client.votesLeftText()} · ${rule}`
        votesLeft.dataset.remaining = String(votes.remaining)
      }
    }

    // following
    if (!follow.hidden) {
      followSwitch.el.setAttribute('aria-checked', client.following ? 'true' : 'false')
      const leader = client.leader()
      followNote.textContent = !client.following
        ? ''
        : leader
          ? t('brainstorm.following', { name: leader.name })
          : t('brainstorm.leader_away')
    }

    // facilitator controls
    if (facilitating) {
      const target = PHASES[PHASES.indexOf(state.phase) + 1]
      const runningTimer = Boolean(state.timer && state.timer.running)
      pause.textContent = runningTimer ? t('brainstorm.pause_timer') : t('brainstorm.resume_timer')
      next.hidden = !target
      nextTimer.el.hidden = !target
      next.textContent = target ? t('brainstorm.next_phase', { phase: phaseName(target) }) : ''
      tallies.hidden = state.phase !== 'voting' || state.talliesVisible
      lock.textContent = state.boardLocked
        ? t('brainstorm.unlock_board')
        : t('brainstorm.lock_board')
      lock.dataset.locked = state.boardLocked ? 'true' : 'false'
      if (state.onTimeUp !== shownRule && TIME_UP_RULES.includes(state.onTimeUp)) {
        shownRule = state.onTimeUp
        ruleControl.select.value = state.onTimeUp
      }
      for (const button of steering) {
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
    info.textContent = message && message.kind !== 'error' ? messageText(message) : ''
    error.textContent = message && message.kind === 'error' ? messageText(message) : ''
  }
  const onPhase = (event) => {
    const state = event.detail
    if (!state) return
    announce(
      state.ended
        ? t('brainstorm.ended')
        : t('brainstorm.announce_phase', { phase: phaseName(state.phase) })
    )
    // what was said in the last phase ("Voted for …") is stale now
    if (client.message && client.message.kind !== 'error') {
      client.message = null
      showMessage()
    }
  }
  /** Show everything in the current language, keeping the session, the forms and the clock. */
  const relabel = () => {
    relabelStatic()
    alarm.relabel()
    past.relabel()
    delete downloads.dataset.session // the links are written again, in the new language
    form.relabel()
    render()
    showMessage()
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
  const stopLocale = onLocaleChange(relabel)
  relabelStatic()
  render()
  showMessage()
  return {
    el,
    relabel,
    destroy() {
      clock.destroy()
      alarm.destroy()
      past.destroy()
      stopLocale()
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
 * It follows a change of language by itself (and stops in destroy).
 * @param {import('./client.js').BrainstormClient} client
 * @param {string} href
 */
export function brainstormChip(client, href) {
  const clock = countdown(client, { 'aria-hidden': 'true' })
  const phase = h('span', { class: 'bs-chip-phase' })
  const name = h('span', { class: 'bs-chip-name' })
  const el = h('a', { class: 'bs-chip', href, hidden: true }, name, phase, clock.el)
  const render = () => {
    const state = client.snapshot
    el.hidden = !client.running()
    name.textContent = t('brainstorm.title')
    if (!state) return
    phase.textContent = phaseName(state.phase)
    el.setAttribute('aria-label', t('brainstorm.chip_label', { phase: phaseName(state.phase) }))
  }
  client.addEventListener('change', render)
  const stopLocale = onLocaleChange(render)
  render()
  return {
    el,
    relabel: render,
    destroy() {
      clock.destroy()
      stopLocale()
      client.removeEventListener('change', render)
    }
  }
}
