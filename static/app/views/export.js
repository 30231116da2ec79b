// The workspace's Export dialog (docs/ui.md, Exports): a format and the phases, the job's
// progress while the server makes the file, then the download and the state of the project it
// shows (when, and its hash); the project's recent exports; and the print view of the phase
// shown. The dialog follows a change of language by itself (onLocaleChange, dropped on close).
import { h, newId, announce } from '../dom.js'
import * as api from '../api.js'
import { PHASES, phaseName } from '../router.js'
import { t, onLocaleChange, formatDate, formatNumber } from '../i18n.js'
import { formatSize } from '../uploads.js'

/** The formats of `POST /v1/projects/{id}/export`, in the order the dialog offers them. */
const FORMATS = Object.freeze(['pdf', 'pptx', 'csv', 'json', 'archive'])
/** How often a running export's status is asked for. */
const POLL_MS = 700
/** How many of the project's latest exports the dialog lists. */
const RECENT = 5
/** Times to the second: two exports a minute apart show different states. */
const WHEN = /** @type {Intl.DateTimeFormatOptions} */ ({
  dateStyle: 'medium',
  timeStyle: 'medium'
})

/**
 * An export job as the server describes it (http_api/v1/exports.py, ExportOut).
 * @typedef {{id: string, format: string, status: 'pending'|'running'|'done'|'failed',
 *   progress: number, stage: string, error_detail: string | null, created_at: string,
 *   expires_at: string, taken_at: string | null, state_hash: string | null,
 *   file_name: string | null, size: number | null, download_url: string | null}} ExportJob
 */

/** The URL of the print view of `phase`: the server's printable page of that phase. */
function printUrl(/** @type {string} */ projectId, /** @type {string} */ phase) {
  return `/v1/projects/${encodeURIComponent(projectId)}/print${api.query({ phases: phase })}`
}

/**
 * Open the print view of `phase` in a new tab (the reader prints it with the browser's Print).
 * @param {string} projectId
 * @param {string} phase
 */
export function openPrintView(projectId, phase) {
  window.open(printUrl(projectId, phase), '_blank', 'noopener')
}

/**
 * Open the Export dialog of `project`.
 * @param {{id: string, name: string, role: string, viewers_can_export?: boolean}} project
 * @param {{phase: () => string | null, opener?: HTMLElement}} opts `phase`: the phase shown
 *   now (the print view's); `opener` gets the focus back when the dialog closes
 * @returns {HTMLDialogElement}
 */
export function openExport(project, opts) {
  const base = `/v1/projects/${encodeURIComponent(project.id)}`
  // A viewer of a project that keeps exports to its team may not list them (403): do not ask.
  const mayList = project.role !== 'viewer' || project.viewers_can_export !== false
  let closed = false
  let running = false
  let timer = 0
  /** @type {ExportJob | null} the job shown (its latest status) */
  let job = null
  /** @type {ExportJob[] | null} */
  let recent = null

  const titleId = newId('export')
  const title = h('h2', { id: titleId })
  const close = h('button', { type: 'button', class: 'ghost' })

  // -- what to export
  const formatLegend = h('legend')
  const formats = FORMATS.map((format) => {
    const input = h('input', { type: 'radio', name: 'export-format', value: format, id: newId() })
    const hint = h('small', { class: 'hint', id: newId('hint') })
    input.setAttribute('aria-describedby', hint.id)
    const label = h('label', { for: input.id })
    return { format, input, label, hint }
  })
  formats[0].input.checked = true
  const formatSet = h(
    'fieldset',
    { class: 'export-formats' },
    formatLegend,
    formats.map(({ input, label, hint }) =>
      h('div', { class: 'export-option' }, input, label, hint)
    )
  )

  const phaseLegend = h('legend')
  const phaseNote = h('small', { class: 'hint export-phase-note', id: newId('hint') })
  const phases = PHASES.map((phase) => {
    const input = h('input', { type: 'checkbox', name: 'export-phase', value: phase, id: newId() })
    input.checked = true
    return { phase, input, label: h('label', { for: input.id }) }
  })
  const phaseSet = h(
    'fieldset',
    { class: 'export-phases', 'aria-describedby': phaseNote.id },
    phaseLegend,
    h(
      'div',
      { class: 'export-phase-list' },
      phases.map(({ input, label }) => h('div', { class: 'export-option' }, input, label))
    ),
    phaseNote
  )
  const formError = h('p', { class: 'form-error', role: 'alert', hidden: true })
  const startButton = h('button', { type: 'submit', class: 'primary' })
  const printButton = h('button', { type: 'button', class: 'ghost' })
  const form = h(
    'form',
    { class: 'export-form', novalidate: true },
    h('div', { class: 'export-choices' }, formatSet, phaseSet),
    formError,
    h('div', { class: 'form-actions' }, startButton, printButton)
  )

  // -- the job: progress, then the file or the error
  const stageId = newId('stage')
  const stage = h('span', { id: stageId, class: 'export-stage' })
  const percent = h('span', { class: 'export-percent', 'aria-hidden': 'true' })
  const fill = h('div', { class: 'export-bar-fill' })
  const bar = h(
    'div',
    {
      class: 'export-bar',
      role: 'progressbar',
      'aria-valuemin': '0',
      'aria-valuemax': '100',
      'aria-valuenow': '0',
      'aria-labelledby': stageId
    },
    fill
  )
  const result = h('div', { class: 'export-result', hidden: true })
  const jobError = h('p', { class: 'form-error', role: 'alert', hidden: true })
  const jobEl = h(
    'section',
    { class: 'export-job', hidden: true, 'aria-labelledby': stageId },
    h('p', { class: 'export-progress-line' }, stage, percent),
    bar,
    result,
    jobError
  )

  // -- the project's latest exports
  const recentTitle = h('h3', { id: newId('recent') })
  const recentList = h('ul', { class: 'export-recent-list', 'aria-labelledby': recentTitle.id })
  const recentEl = h(
    'section',
    { class: 'export-recent', 'aria-labelledby': recentTitle.id, hidden: true },
    recentTitle,
    recentList
  )

  const dialog = h(
    'dialog',
    { class: 'dialog export-dialog', 'aria-labelledby': titleId },
    h('div', { class: 'dialog-head' }, title, close),
    form,
    jobEl,
    recentEl
  )

  const chosenFormat = () => (formats.find(({ input }) => input.checked) || formats[0]).format
  const chosenPhases = () => phases.filter(({ input }) => input.checked).map(({ phase }) => phase)

  /** An archive is the whole project, files included: it has no phases to choose. */
  const showScope = () => {
    const archive = chosenFormat() === 'archive'
    phaseSet.disabled = archive || running
    phaseNote.textContent = archive ? t('export.phases_archive') : t('export.phases_hint')
  }

  const showFormError = (/** @type {string} */ message) => {
    formError.textContent = message
    formError.hidden = !message
  }

  const setRunning = (/** @type {boolean} */ on) => {
    running = on
    formatSet.disabled = on
    // not disabled: the focus stays on it while the export runs
    startButton.setAttribute('aria-disabled', String(on))
    showScope()
  }

  const renderJob = () => {
    if (!job) return
    const value = job.status === 'done' ? 100 : Math.round(Math.max(0, job.progress) * 100)
    jobEl.hidden = false
    jobEl.dataset.status = job.status
    bar.setAttribute('aria-valuenow', String(value))
    bar.setAttribute('aria-valuetext', t('export.stage', { stage: job.stage }))
    fill.style.width = `${value}%`
    stage.textContent = t('export.stage', { stage: job.stage })
    percent.textContent = formatNumber(value / 100, { style: 'percent' })
    if (job.status === 'done' && job.download_url) {
      result.replaceChildren(...fileLines(job))
      result.hidden = false
    } else {
      result.hidden = true
    }
    if (job.status === 'failed') showJobError(job.error_detail || t('export.failed'))
  }

  const showJobError = (/** @type {string} */ message) => {
    jobError.textContent = message
    jobError.hidden = !message
  }

  /** @param {ExportJob} latest */
  const follow = (latest) => {
    if (closed) return
    job = latest
    renderJob()
    if (latest.status === 'done' || latest.status === 'failed') {
      setRunning(false)
      if (latest.status === 'done') {
        announce(t('export.ready', { file: latest.file_name || '' }))
        const link = result.querySelector('a')
        if (link) link.focus()
      }
      loadRecent()
      return
    }
    timer = setTimeout(poll, POLL_MS)
  }

  const poll = async () => {
    timer = 0
    if (closed || !job) return
    try {
      follow(await api.get(`${base}/exports/${encodeURIComponent(job.id)}`))
    } catch (error) {
      if (closed) return
      if (error instanceof api.ApiError && error.status === 0) {
        timer = setTimeout(poll, POLL_MS) // the network dropped: the job goes on, ask again
        return
      }
      setRunning(false)
      showJobError(error instanceof Error ? error.message : String(error))
    }
  }

  const start = async () => {
    const format = chosenFormat()
    const picked = chosenPhases()
    if (format !== 'archive' && !picked.length) {
      showFormError(t('export.no_phase'))
      phases[0].input.focus()
      return
    }
    showFormError('')
    /** @type {{format: string, phases?: string[]}} */
    const body = { format }
    if (format !== 'archive' && picked.length < PHASES.length) body.phases = picked
    setRunning(true)
    showJobError('')
    job = {
      id: '',
      format,
      status: 'pending',
      progress: 0,
      stage: 'queued',
      error_detail: null,
      created_at: '',
      expires_at: '',
      taken_at: null,
      state_hash: null,
      file_name: null,
      size: null,
      download_url: null
    }
    renderJob()
    try {
      follow(await api.post(`${base}/export`, body))
    } catch (error) {
      if (closed) return
      setRunning(false)
      jobEl.hidden = true
      showFormError(error instanceof Error ? error.message : String(error))
    }
  }

  const loadRecent = async () => {
    if (!mayList) return
    try {
      const page = await api.get(`${base}/exports${api.query({ limit: RECENT })}`)
      recent = page.items
    } catch {
      recent = null // the list is a convenience: the dialog works without it
    }
    if (!closed) renderRecent()
  }

  const renderRecent = () => {
    recentEl.hidden = !recent || recent.length === 0
    if (!recent) return
    recentList.replaceChildren(...recent.map(recentItem))
  }

  const relabel = () => {
    title.textContent = t('export.title', { project: project.name })
    close.textContent = t('common.close')
    formatLegend.textContent = t('export.format')
    for (const { format, label, hint } of formats) {
      label.textContent = t('export.format_name', { format })
      hint.textContent = t('export.format_hint', { format })
    }
    phaseLegend.textContent = t('export.phases')
    for (const { phase, label } of phases) label.textContent = phaseName(phase)
    startButton.textContent = t('export.start')
    const shown = opts.phase()
    printButton.textContent = shown ? t('export.print_phase', { phase: phaseName(shown) }) : ''
    printButton.hidden = !shown
    recentTitle.textContent = t('export.recent')
    showScope()
    renderJob()
    renderRecent()
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    if (!running) start()
  })
  for (const { input } of formats) input.addEventListener('change', showScope)
  for (const { input } of phases) {
    input.addEventListener('change', () => {
      if (chosenPhases().length) showFormError('')
    })
  }
  printButton.addEventListener('click', () => {
    const shown = opts.phase()
    if (shown) openPrintView(project.id, shown)
  })
  close.addEventListener('click', () => dialog.close())
  const stopLocale = onLocaleChange(relabel)
  // Alt+1…5 still changes the phase behind the dialog: the print button names the new one.
  window.addEventListener('hashchange', relabel)
  dialog.addEventListener('close', () => {
    closed = true
    clearTimeout(timer)
    stopLocale()
    window.removeEventListener('hashchange', relabel)
    dialog.remove()
    if (opts.opener && opts.opener.isConnected) opts.opener.focus()
  })

  relabel()
  document.body.append(dialog)
  dialog.showModal()
  formats[0].input.focus()
  loadRecent()
  return dialog
}

/**
 * The lines of a finished export: its file to download, the state it shows, until when.
 * @param {ExportJob} job
 */
function fileLines(job) {
  const name = job.file_name || t('export.file')
  return [
    h(
      'p',
      { class: 'export-file' },
      h('a', { href: job.download_url, download: name, text: name }),
      job.size === null ? null : h('span', { class: 'file-size', text: formatSize(job.size) })
    ),
    h('p', {
      class: 'export-state',
      text: t('export.state', {
        when: job.taken_at ? formatDate(job.taken_at, WHEN) : '',
        hash: job.state_hash || ''
      })
    }),
    h('p', {
      class: 'hint',
      text: t('export.expires', { when: formatDate(job.expires_at, WHEN) })
    })
  ]
}

/** A line of the recent exports: format, when asked, and the file or how it went. @param {ExportJob} item */
function recentItem(item) {
  const head = h(
    'span',
    { class: 'export-recent-head' },
    h('strong', { text: t('export.format_name', { format: item.format }) }),
    ' ',
    h('span', { class: 'hint', text: formatDate(item.created_at, WHEN) })
  )
  let detail
  if (item.status === 'done' && item.download_url) {
    const name = item.file_name || t('export.file')
    detail = h(
      'span',
      { class: 'export-recent-file' },
      h('a', { href: item.download_url, download: name, text: name }),
      item.size === null ? null : h('span', { class: 'file-size', text: formatSize(item.size) }),
      h('span', {
        class: 'hint',
        text: t('export.until', { when: formatDate(item.expires_at, WHEN) })
      })
    )
  } else if (item.status === 'failed') {
    detail = h('span', { class: 'danger', text: item.error_detail || t('export.failed') })
  } else {
    detail = h('span', { class: 'hint', text: t('export.stage', { stage: item.stage }) })
  }
  return h('li', { class: 'export-recent-item', dataset: { status: item.status } }, head, detail)
}
