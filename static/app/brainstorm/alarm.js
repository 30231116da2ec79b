// A timer people notice: the countdown in the tab's title, a flash and a chime on every screen
// when time is up, and the countdown shown large for a projector.
//
// Browsers only let a page play sound after someone interacted with it (autoplay rules), so
// the chime is off until the person turns it on with the "Sound at zero" switch: that click
// unlocks the page's AudioContext. The choice is remembered (localStorage); on the next visit
// the switch shows it is on but the sound needs one click on the page first, which any
// click on the page gives.
import { h, announce } from '../dom.js'
import { t } from '../i18n.js'
import { formatClock, phaseName, remainingMs } from './client.js'

const SOUND_KEY = 'dttools.brainstorm.sound'
const FLASH_MS = 2500

/** @type {AudioContext | null} */
let audio = null

/** The page's AudioContext, made (or resumed) in a click so that it may play. */
function unlockAudio() {
  const Context = window.AudioContext
  if (!Context) return null
  if (!audio) audio = new Context()
  if (audio.state === 'suspended') audio.resume().catch(() => {})
  return audio
}

/** Two short tones, soft enough for a room of people. */
function chime() {
  if (!audio || audio.state !== 'running') return false
  const start = audio.currentTime
  for (const [offset, frequency] of [
    [0, 880],
    [0.25, 660]
  ]) {
    const tone = audio.createOscillator()
    const gain = audio.createGain()
    tone.frequency.value = frequency
    gain.gain.setValueAtTime(0.0001, start + offset)
    gain.gain.exponentialRampToValueAtTime(0.25, start + offset + 0.02)
    gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.6)
    tone.connect(gain).connect(audio.destination)
    tone.start(start + offset)
    tone.stop(start + offset + 0.65)
  }
  return true
}

/**
 * Watch a session's countdown: title, time's-up flash and chime, and the two controls (sound,
 * present). `el` goes next to the panel's countdown.
 * @param {import('./client.js').BrainstormClient} client
 * @param {HTMLElement} flashTarget what flashes at zero (the panel)
 */
export function timeAlarm(client, flashTarget) {
  const originalTitle = () => document.title.replace(/^⏱ [0-9:]+ · /, '')
  let soundOn = localStorage.getItem(SOUND_KEY) === 'on'
  let lastSeconds = -1
  let tick = 0
  let flashing = 0

  const sound = h('button', { type: 'button', class: 'ghost bs-sound', 'aria-pressed': 'false' })
  const present = h('button', { type: 'button', class: 'ghost bs-present' })
  const big = h('div', { class: 'bs-big-clock', 'aria-hidden': 'true' })
  const bigPhase = h('div', { class: 'bs-big-phase' })
  const close = h('button', { type: 'button', class: 'ghost' })
  const overlay = h(
    'dialog',
    { class: 'bs-presenter', 'aria-label': '' },
    bigPhase,
    big,
    h('div', { class: 'form-actions' }, close)
  )

  const label = () => {
    sound.textContent = soundOn ? t('brainstorm.sound_on') : t('brainstorm.sound_off')
    sound.setAttribute('aria-pressed', soundOn ? 'true' : 'false')
    present.textContent = t('brainstorm.present_timer')
    close.textContent = t('common.close')
    overlay.setAttribute('aria-label', t('brainstorm.present_timer'))
  }
  sound.addEventListener('click', () => {
    soundOn = !soundOn
    localStorage.setItem(SOUND_KEY, soundOn ? 'on' : 'off')
    if (soundOn) {
      unlockAudio()
      chime() // the click that turns it on also shows what it sounds like
    }
    label()
  })
  // Any click on the page may unlock the sound someone turned on during an earlier visit.
  const unlockOnClick = () => {
    if (soundOn) unlockAudio()
  }
  document.addEventListener('click', unlockOnClick, { capture: true })
  present.addEventListener('click', () => {
    document.body.append(overlay)
    overlay.showModal()
    update()
  })
  close.addEventListener('click', () => overlay.close())
  overlay.addEventListener('close', () => overlay.remove())

  const timeUp = () => {
    flashTarget.classList.add('bs-time-up')
    document.body.classList.add('bs-time-up-page')
    clearTimeout(flashing)
    flashing = setTimeout(() => {
      flashTarget.classList.remove('bs-time-up')
      document.body.classList.remove('bs-time-up-page')
    }, FLASH_MS)
    announce(t('brainstorm.timer.up'))
    if (soundOn) chime()
  }

  const update = () => {
    clearTimeout(tick)
    tick = 0
    const state = client.snapshot
    const running = Boolean(state && state.timer && state.timer.running && !state.ended)
    if (!state || !state.timer || state.ended) {
      document.title = originalTitle()
      lastSeconds = -1
      big.textContent = ''
      return
    }
    const ms = remainingMs(state, client.skew)
    const seconds = Math.ceil(ms / 1000)
    // the moment it reaches zero on this screen (not a page opened after it)
    if (running && seconds === 0 && lastSeconds > 0) timeUp()
    lastSeconds = running ? seconds : -1
    big.textContent = formatClock(seconds)
    big.dataset.state = !running ? 'paused' : seconds === 0 ? 'up' : 'running'
    bigPhase.textContent = phaseName(state.phase)
    document.title = running ? `⏱ ${formatClock(seconds)} · ${originalTitle()}` : originalTitle()
    if (running && ms > 0) tick = setTimeout(update, (ms % 1000 || 1000) + 15)
  }

  client.addEventListener('change', update)
  label()
  update()
  return {
    el: h('span', { class: 'bs-alarm' }, sound, present),
    relabel: () => {
      label()
      update()
    },
    destroy() {
      clearTimeout(tick)
      clearTimeout(flashing)
      client.removeEventListener('change', update)
      document.removeEventListener('click', unlockOnClick, { capture: true })
      document.title = originalTitle()
      document.body.classList.remove('bs-time-up-page')
      if (overlay.open) overlay.close()
    }
  }
}
