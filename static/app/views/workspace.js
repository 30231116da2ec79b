// A project's workspace: the phase tabs, live status, presence, undo / redo, and the view of
// the current phase. The live document stays open while the user switches phases.
import { h, toast, announce } from '../dom.js'
import * as api from '../api.js'
import { LiveProject } from '../live.js'
import { NOTICE_CODES } from '../contract.js'
import { PHASES, PHASE_NAMES, hrefFor, navigate } from '../router.js'
import { currentUser } from '../session.js'
import { presenceList } from '../presence.js'
import { topbar } from './topbar.js'
import { openMembers } from './members.js'
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
const STATUS_TEXT = {
  connecting: 'Connecting…',
  live: 'Live',
  saved: 'Saved',
  offline: 'Offline',
  revoked: 'Access revoked',
  error: 'Disconnected'
}
const isMac = /Mac|iPhone|iPad/.test(navigator.platform)

export class Workspace {
  /** @param {string} projectId */
  constructor(projectId) {
    this.projectId = projectId
    this.phase = null
    this.view = null
    this.el = h(
      'div',
      { class: 'page workspace' },
      topbar(),
      h('main', { id: 'main', class: 'loading', text: 'Opening the project…' })
    )
    this.ready = this.open()
  }

  async open() {
    let project
    let members
    try {
      ;[project, members] = await Promise.all([
        api.get(`/v1/projects/${this.projectId}`),
        api.get(`/v1/projects/${this.projectId}/members`).catch(() => [])
      ])
    } catch (error) {
      const text =
        error.status === 404
          ? 'This project does not exist, or you are not on its team.'
          : error.message
      this.el.replaceChildren(
        topbar(),
        h(
          'main',
          { id: 'main', class: 'missing' },
          h('h1', { text: 'Project unavailable' }),
          h('p', { role: 'alert', text }),
          h('p', {}, h('a', { href: '#/projects', text: 'Back to your projects' }))
        )
      )
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
      h('span', { class: 'status-text', text: STATUS_TEXT.connecting })
    )
    this.undoButton = h('button', {
      type: 'button',
      class: 'ghost icon-text',
      text: '↶ Undo',
      'aria-keyshortcuts': isMac ? 'Meta+Z' : 'Control+Z',
      title: `Undo (${isMac ? '⌘Z' : 'Ctrl+Z'})`
    })
    this.redoButton = h('button', {
      type: 'button',
      class: 'ghost icon-text',
      text: '↷ Redo',
      'aria-keyshortcuts': isMac ? 'Meta+Shift+Z' : 'Control+Shift+Z',
      title: `Redo (${isMac ? '⇧⌘Z' : 'Ctrl+Shift+Z'})`
    })
    this.undoButton.addEventListener('click', () => live.undo())
    this.redoButton.addEventListener('click', () => live.redo())
    const membersButton = h('button', { type: 'button', class: 'ghost', text: 'Team' })
    membersButton.addEventListener('click', () =>
      openMembers(this.project, { onLeft: () => navigate({ name: 'projects' }) })
    )
    this.presence = presenceList(live)
    this.tabs = h(
      'nav',
      { class: 'phases', 'aria-label': 'Phases' },
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
              PHASE_NAMES[phase]
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
    this.el.replaceChildren(
      topbar(
        this.title,
        this.status,
        this.presence.el,
        h(
          'div',
          { class: 'history', role: 'group', 'aria-label': 'History' },
          this.undoButton,
          this.redoButton
        ),
        membersButton
      ),
      this.tabs,
      this.banner,
      h('main', { id: 'main', class: 'workspace-main' }, this.content)
    )
    live.addEventListener('status', () => this.showStatus())
    live.addEventListener('undo', () => this.showUndo())
    live.addEventListener('role', () => this.showRole())
    let lastNotice = { text: '', at: 0 }
    live.addEventListener('notice', (event) => {
      const { code, text } = /** @type {CustomEvent} */ (event).detail
      const message =
        code === NOTICE_CODES.READ_ONLY || code === 'permission-denied'
          ? 'Read only: your changes are not saved.'
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

  showStatus() {
    const { status, statusDetail } = this.live
    this.status.dataset.status = status
    this.status.querySelector('.status-text').textContent =
      STATUS_TEXT[status] + (statusDetail ? ` · ${statusDetail}` : '')
    if (status === 'revoked' || status === 'error') {
      this.banner.hidden = false
      this.banner.className = 'banner danger'
      this.banner.replaceChildren(
        statusDetail || STATUS_TEXT[status],
        ' ',
        h('a', { href: '#/projects', text: 'Back to your projects' })
      )
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
      this.banner.textContent = 'You are a viewer: you can see everything but not change it.'
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
    if (this.view) this.view.destroy()
    this.live.setPhase(phase)
    for (const link of this.tabs.querySelectorAll('a')) {
      if (link.dataset.phase === phase) link.setAttribute('aria-current', 'page')
      else link.removeAttribute('aria-current')
    }
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
      toast(`This phase could not be shown: ${error.message}`, 'error')
      return
    }
    this.content.replaceChildren(
      h('legend', { class: 'visually-hidden', text: PHASE_NAMES[phase] }),
      this.view.el
    )
    document.title = `${PHASE_NAMES[phase]} · ${this.project.name} · DTTools`
    announce(`${PHASE_NAMES[phase]} phase`)
  }

  destroy() {
    if (this.view) this.view.destroy()
    if (this.onKey) document.removeEventListener('keydown', this.onKey)
    if (this.presence) this.presence.destroy()
    if (this.chip) this.chip.destroy()
    if (this.brainstorm) this.brainstorm.destroy()
    if (this.live) this.live.destroy()
  }
}
