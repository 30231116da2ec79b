// A project's workspace: the phase tabs, live status, presence, undo / redo, and the view of
// the current phase. The live document stays open while the user switches phases, and while
// the page changes language (relabel).
import { h, toast, announce } from '../dom.js'
import * as api from '../api.js'
import { LiveProject } from '../live.js'
import { NOTICE_CODES } from '../contract.js'
import { PHASES, phaseName, hrefFor, navigate } from '../router.js'
import { t } from '../i18n.js'
import { currentUser } from '../session.js'
import { presenceList } from '../presence.js'
import { topbar } from './topbar.js'
import { openMembers } from './members.js'
import { openExport } from './export.js'
import { openHistory } from './history.js'
import { empathizeView } from './empathize.js'
import { defineView } from './define.js'
import { ideateView } from './ideate.js'
import { prototypeView } from './prototype.js'
import { testView } from './test.js'
import { BrainstormClient } from '../brainstorm/client.js'
import { brainstormChip } from '../brainstorm/panel.js'

const VIEWS = {
  empathize: empathizeView,
  define: defineView,
  ideate: ideateView,
  prototype: prototypeView,
  test: testView
}
/** The catalogue keys of the connection statuses (live.js Status). */
const STATUS_KEYS = {
  connecting: 'live.status.connecting',
  live: 'live.status.live',
  saved: 'live.status.saved',
  offline: 'live.status.offline',
  revoked: 'live.status.revoked',
  error: 'live.status.error'
}
/** @param {string} status */
const statusText = (status) => t(STATUS_KEYS[status] || STATUS_KEYS.error)
const isMac = /Mac|iPhone|iPad/.test(navigator.platform)

export class Workspace {
  /** @param {string} projectId */
  constructor(projectId) {
    this.projectId = projectId
    this.phase = null
    /** @type {{el: HTMLElement, destroy: () => void, relabel?: () => void} | null} */
    this.view = null
    /** Why the project could not be opened (open() failed), to show it again in another language. */
    this.failure = null
    this.el = h('div', { class: 'page workspace' })
    this.showLoading()
    this.ready = this.open()
  }

  showLoading() {
    this.el.replaceChildren(
      topbar(),
      h('main', { id: 'main', class: 'loading', text: t('workspace.opening') })
    )
  }

  /** @param {any} error why the project could not be opened */
  showFailure(error) {
    this.failure = error
    const text = error.status === 404 ? t('workspace.not_found') : error.message
    this.el.replaceChildren(
      topbar(),
      h(
        'main',
        { id: 'main', class: 'missing' },
        h('h1', { text: t('workspace.unavailable') }),
        h('p', { role: 'alert', text }),
        h('p', {}, h('a', { href: '#/projects', text: t('workspace.back_to_projects') }))
      )
    )
  }

  async open() {
    let project
    let members
    try {
      ;[project, members] = await Promise.all([
        api.get(`/v1/projects/${this.projectId}`),
        api.getAll(`/v1/projects/${this.projectId}/members`).catch(() => [])
      ])
    } catch (error) {
      this.showFailure(error)
      return
    }
    this.project = project
    this.members = new Map(members.map((m) => [m.user_id, m.name]))
    this.team = members
    const user = currentUser()
    this.live = new LiveProject({
      projectId: this.projectId,
      user: { id: user.id, name: user.name },
      readOnly: project.role === 'viewer',
      checkAccess: async () => {
        try {
          const fresh = await api.get(`/v1/projects/${this.projectId}`)
          this.project = fresh
          return fresh.role === 'viewer' ? 'viewer' : 'writer'
        } catch {
          return null
        }
      }
    })
    // The brainstorm (docs/brainstorm.md) lives as long as the workspace: its timer shows on
    // every phase, and a summon brings people to the idea board from wherever they are.
    this.brainstorm = new BrainstormClient({
      projectId: this.projectId,
      user: this.live.user,
      live: this.live,
      role: () => this.project.role
    })
    this.build()
    if (this.pendingPhase) this.setPhase(this.pendingPhase)
  }

  build() {
    const live = this.live
    this.status = h(
      'p',
      { class: 'status', role: 'status', dataset: { status: 'connecting' } },
      h('span', { class: 'dot', 'aria-hidden': 'true' }),
      h('span', { class: 'status-text' })
    )
    this.undoButton = h('button', {
      type: 'button',
      class: 'ghost icon-text',
      'aria-keyshortcuts': isMac ? 'Meta+Z' : 'Control+Z'
    })
    this.redoButton = h('button', {
      type: 'button',
      class: 'ghost icon-text',
      'aria-keyshortcuts': isMac ? 'Meta+Shift+Z' : 'Control+Shift+Z'
    })
    this.undoButton.addEventListener('click', () => live.undo())
    this.redoButton.addEventListener('click', () => live.redo())
    this.membersButton = h('button', { type: 'button', class: 'ghost' })
    this.membersButton.addEventListener('click', () =>
      openMembers(this.project, { onLeft: () => navigate({ name: 'projects' }) })
    )
    this.exportButton = h('button', { type: 'button', class: 'ghost', 'aria-haspopup': 'dialog' })
    // a viewer of a project that keeps exports to its members, or a guest (who may never
    // export), would only meet a refusal
    this.exportButton.hidden =
      Boolean(currentUser()?.guest_project) ||
      (this.project.role === 'viewer' && this.project.viewers_can_export === false)
    this.exportButton.addEventListener('click', () => {
      this.exportDialog = openExport(this.project, {
        phase: () => this.phase,
        opener: this.exportButton
      })
    })
    // restore points (docs/history.md): a guest may not list them, so is not offered them
    this.historyButton = h('button', { type: 'button', class: 'ghost', 'aria-haspopup': 'dialog' })
    this.historyButton.hidden = Boolean(currentUser()?.guest_project)
    this.historyButton.addEventListener('click', () => {
      this.historyDialog = openHistory(this.project, {
        live: this.live,
        members: this.members,
        opener: this.historyButton
      })
    })
    this.history = h('div', { class: 'history', role: 'group' }, this.undoButton, this.redoButton)
    this.presence = presenceList(live)
    this.tabs = h(
      'nav',
      { class: 'phases' },
      h(
        'ol',
        {},
        PHASES.map((phase, i) =>
          h(
            'li',
            {},
            h(
              'a',
              {
                href: hrefFor({ name: 'workspace', projectId: this.projectId, phase }),
                dataset: { phase },
                'aria-keyshortcuts': `Alt+${i + 1}`
              },
              h('span', { class: 'step', text: String(i + 1), 'aria-hidden': 'true' }),
              h('span', { class: 'phase-name' })
            )
          )
        )
      )
    )
    this.chip = brainstormChip(
      this.brainstorm,
      hrefFor({ name: 'workspace', projectId: this.projectId, phase: 'ideate' })
    )
    this.tabs.append(this.chip.el)
    this.brainstorm.addEventListener('summon', () => {
      if (this.phase !== 'ideate') {
        navigate({ name: 'workspace', projectId: this.projectId, phase: 'ideate' })
      }
    })
    this.banner = h('div', { class: 'banner', role: 'status', hidden: true })
    this.content = h('fieldset', { class: 'phase-content' })
    this.title = h('h1', { class: 'project-title', text: this.project.name })
    this.header = this.makeTopbar()
    this.el.replaceChildren(
      this.header,
      this.tabs,
      this.banner,
      h('main', { id: 'main', class: 'workspace-main' }, this.content)
    )
    this.labelChrome()
    live.addEventListener('status', () => this.showStatus())
    live.addEventListener('undo', () => this.showUndo())
    live.addEventListener('role', () => this.showRole())
    let lastNotice = { text: '', at: 0 }
    live.addEventListener('notice', (event) => {
      const { code, text } = /** @type {CustomEvent} */ (event).detail
      const message =
        code === NOTICE_CODES.READ_ONLY || code === 'permission-denied'
          ? t('workspace.read_only_notice')
          : code === NOTICE_CODES.NOTE_LOCKED
            ? t('live.note_locked_write')
            : text
      // the server reports a refused write twice (y-protocols auth and our NOTICE): say it once
      if (message === lastNotice.text && Date.now() - lastNotice.at < 5000) return
      lastNotice = { text: message, at: Date.now() }
      toast(message, 'error')
    })
    this.onKey = (event) => this.keydown(event)
    document.addEventListener('keydown', this.onKey)
    this.showStatus()
    this.showUndo()
    this.showRole()
  }

  /** The top bar (topbar.js) around the workspace's own controls, in the current language. */
  makeTopbar() {
    return topbar(
      this.title,
      this.status,
      this.presence.el,
      this.history,
      this.historyButton,
      this.membersButton,
      this.exportButton
    )
  }

  /** Put the current language's words on the controls built once (build()). */
  labelChrome() {
    const undoKeys = isMac ? '⌘Z' : 'Ctrl+Z'
    const redoKeys = isMac ? '⇧⌘Z' : 'Ctrl+Shift+Z'
    this.undoButton.textContent = `↶ ${t('workspace.undo')}`
    this.undoButton.title = t('workspace.undo_title', { keys: undoKeys })
    this.redoButton.textContent = `↷ ${t('workspace.redo')}`
    this.redoButton.title = t('workspace.redo_title', { keys: redoKeys })
    this.membersButton.textContent = t('workspace.team')
    this.exportButton.textContent = t('workspace.export')
    this.historyButton.textContent = t('history.button')
    this.history.setAttribute('aria-label', t('workspace.history'))
    this.tabs.setAttribute('aria-label', t('workspace.phases'))
    for (const link of this.tabs.querySelectorAll('a[data-phase]')) {
      const name = link.querySelector('.phase-name')
      if (name) name.textContent = phaseName(/** @type {HTMLElement} */ (link).dataset.phase || '')
    }
  }

  showStatus() {
    const { status, statusDetail } = this.live
    this.status.dataset.status = status
    this.status.querySelector('.status-text').textContent =
      statusText(status) + (statusDetail ? ` · ${statusDetail}` : '')
    if (status === 'revoked' || status === 'error') {
      this.banner.hidden = false
      this.banner.className = 'banner danger'
      const outdated = this.live.terminal && this.live.terminal.cause === 'outdated'
      if (outdated) {
        // this page is older than the server: only loading it again helps (closes.js)
        const reload = h('button', { type: 'button', text: t('live.reload') })
        reload.addEventListener('click', () => location.reload())
        this.banner.replaceChildren(statusDetail || statusText(status), ' ', reload)
      } else {
        this.banner.replaceChildren(
          statusDetail || statusText(status),
          ' ',
          h('a', { href: '#/projects', text: t('workspace.back_to_projects') })
        )
      }
      this.content.disabled = true
    }
  }

  showUndo() {
    this.undoButton.disabled = !this.live.canUndo()
    this.redoButton.disabled = !this.live.canRedo()
  }

  showRole() {
    const readOnly = this.live.readOnly
    this.content.disabled = readOnly
    this.el.classList.toggle('read-only', readOnly)
    if (readOnly) {
      this.banner.hidden = false
      this.banner.className = 'banner'
      this.banner.textContent = t('workspace.viewer_banner')
    } else if (this.live.status !== 'revoked') {
      this.banner.hidden = true
    }
    this.showUndo()
  }

  /** @param {KeyboardEvent} event */
  keydown(event) {
    const mod = isMac ? event.metaKey : event.ctrlKey
    const key = event.key.toLowerCase()
    if (mod && !event.altKey && key === 'z') {
      event.preventDefault()
      if (event.shiftKey) this.live.redo()
      else this.live.undo()
    } else if (mod && !event.altKey && key === 'y' && !isMac) {
      event.preventDefault()
      this.live.redo()
    } else if (event.altKey && !mod && /^[1-5]$/.test(event.key)) {
      event.preventDefault()
      navigate({
        name: 'workspace',
        projectId: this.projectId,
        phase: PHASES[Number(event.key) - 1]
      })
    }
  }

  /** Show a phase (the document stays connected). @param {string} phase */
  setPhase(phase) {
    if (!this.live) {
      this.pendingPhase = phase
      return
    }
    if (phase === this.phase) return
    this.phase = phase
    this.live.setPhase(phase)
    for (const link of this.tabs.querySelectorAll('a')) {
      if (link.dataset.phase === phase) link.setAttribute('aria-current', 'page')
      else link.removeAttribute('aria-current')
    }
    if (this.showView()) announce(t('workspace.phase_announce', { phase: phaseName(phase) }))
    this.followPhase(phase)
  }

  /**
   * The project's phase (the badge on the project list) follows the team's owners forward:
   * when an owner (or admin) opens a later phase than the project's, the project is marked
   * as in it. Looking back at an earlier phase changes nothing, so the badge moves at most
   * four times in a project's life (each move is an audited project change).
   * @param {string} phase
   */
  followPhase(phase) {
    const role = this.project.role
    const later = PHASES.indexOf(phase) > PHASES.indexOf(this.project.phase)
    if ((role !== 'owner' && role !== 'admin') || !later) return
    api.patch(`/v1/projects/${this.projectId}`, { phase }).then(
      (fresh) => {
        this.project = fresh
      },
      () => {} // the badge is a convenience: a refusal or an outage changes nothing here
    )
  }

  /** Build the view of the current phase from the live document, replacing the one shown. */
  showView() {
    const phase = this.phase
    if (this.view) this.view.destroy()
    this.view = null
    const ctx = {
      live: this.live,
      user: this.live.user,
      project: this.project,
      members: this.members,
      team: this.team,
      brainstorm: this.brainstorm
    }
    try {
      this.view = VIEWS[phase](ctx)
    } catch (error) {
      console.warn(error)
      toast(t('workspace.phase_failed', { error: error.message }), 'error')
      return false
    }
    this.content.replaceChildren(
      h('legend', { class: 'visually-hidden', text: phaseName(phase) }),
      this.view.el
    )
    this.showTitle()
    return true
  }

  showTitle() {
    document.title = t('workspace.document_title', {
      phase: phaseName(this.phase),
      project: this.project.name
    })
  }

  /**
   * Show the workspace in the language just chosen (main.js calls it after setLocale). The top
   * bar is built again (topbar.js), the tabs, buttons, status and banner are relabelled, and the
   * phase view relabels itself (its `relabel`, when it has one) or is built again from the live
   * document. The LiveProject and its socket, the undo history, presence and the brainstorm stay
   * as they are; what was typed in the view's forms and the focus are kept.
   */
  relabel() {
    if (!this.live) {
      if (this.failure) this.showFailure(this.failure)
      else this.showLoading()
      return
    }
    const focused = focusPath(this.el)
    const header = this.makeTopbar()
    this.header.replaceWith(header)
    this.header = header
    this.labelChrome()
    this.live.updateStatus() // its detail ("Read only"...) in the new language
    this.showRole()
    this.showStatus()
    callRelabel(this.chip)
    callRelabel(this.brainstorm)
    if (this.view) {
      if (typeof this.view.relabel === 'function') {
        this.view.relabel()
        const legend = this.content.querySelector('legend')
        if (legend) legend.textContent = phaseName(this.phase)
        this.showTitle()
      } else {
        const drafts = controlValues(this.content)
        if (this.showView()) restoreValues(this.content, drafts)
      }
    }
    restoreFocus(this.el, focused)
  }

  destroy() {
    // the dialog polls its export: leaving the project stops it
    if (this.exportDialog && this.exportDialog.open) this.exportDialog.close()
    if (this.historyDialog && this.historyDialog.open) this.historyDialog.close()
    if (this.view) this.view.destroy()
    if (this.onKey) document.removeEventListener('keydown', this.onKey)
    if (this.presence) this.presence.destroy()
    if (this.chip) this.chip.destroy()
    if (this.brainstorm) this.brainstorm.destroy()
    if (this.live) this.live.destroy()
  }
}

/** Call `relabel()` on a component that has one (brainstorm, chip...). @param {any} component */
function callRelabel(component) {
  if (component && typeof component.relabel === 'function') component.relabel()
}

/**
 * Where the focus is under `root`: the element, and its path of child indexes (to find its
 * counterpart when the part around it is built again).
 * @param {HTMLElement} root
 * @returns {{el: Element, path: number[]} | null}
 */
function focusPath(root) {
  const el = document.activeElement
  if (!el || el === document.body || !root.contains(el)) return null
  const path = []
  for (let node = el; node && node !== root; node = node.parentElement) {
    const parent = node.parentElement
    if (!parent) return null
    path.unshift(Array.prototype.indexOf.call(parent.children, node))
  }
  return { el, path }
}

/**
 * Focus again what had the focus (moved, it lost it), or what now stands where it stood.
 * @param {HTMLElement} root
 * @param {{el: Element, path: number[]} | null} focused
 */
function restoreFocus(root, focused) {
  if (!focused) return
  /** @type {Element | null} */
  let target = focused.el
  if (!target.isConnected) {
    target = root
    for (const i of focused.path) target = target?.children[i] || null
    if (target && target.tagName !== focused.el.tagName) target = null
  }
  if (target instanceof HTMLElement && document.activeElement !== target) {
    target.focus({ preventScroll: true })
  }
}

/**
 * The values of the form controls under `root`, in document order.
 * @param {HTMLElement} root
 */
function controlValues(root) {
  return Array.from(root.querySelectorAll('input, textarea, select'), (el) => {
    const input = /** @type {HTMLInputElement} */ (el)
    return {
      tag: input.tagName,
      type: input.type,
      name: input.name,
      value: input.value,
      checked: input.checked
    }
  })
}

/**
 * Put back values taken by controlValues into the same view built again (the same controls in
 * the same order: the same document; anything else is left alone).
 * @param {HTMLElement} root
 * @param {ReturnType<typeof controlValues>} values
 */
function restoreValues(root, values) {
  const controls = root.querySelectorAll('input, textarea, select')
  if (controls.length !== values.length) return
  controls.forEach((el, i) => {
    const input = /** @type {HTMLInputElement} */ (el)
    const old = values[i]
    if (old.tag !== input.tagName || old.type !== input.type || old.name !== input.name) return
    if (input.type === 'checkbox' || input.type === 'radio') input.checked = old.checked
    else if (input.type !== 'file' && input.value !== old.value) input.value = old.value
  })
}
