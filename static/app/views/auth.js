// Sign in, sign up, forgotten password, the pages of e-mailed links (reset, verify), and the
// page an invite link opens (join).
import { h } from '../dom.js'
import { createForm } from '../forms.js'
import { get, post } from '../api.js'
import { signIn, signUp, verifyEmail, setFlash, joinInvite } from '../session.js'
import { navigate } from '../router.js'
import { t } from '../i18n.js'
import { languageMenu } from './topbar.js'

const MIN_PASSWORD = 10

/** A centred panel with a title and content, and the language menu in the corner. */
function panel(title, ...content) {
  return h(
    'main',
    { id: 'main', class: 'auth' },
    h('div', { class: 'auth-language' }, languageMenu()),
    h(
      'section',
      { class: 'auth-panel', 'aria-labelledby': 'auth-title' },
      h('h1', { class: 'brand', text: 'DTTools' }),
      h('h2', { id: 'auth-title', text: title }),
      ...content
    )
  )
}

/** Why a sign-in with a provider came back without a session, as people read it. */
const OIDC_ERRORS = {
  denied: () => t('auth.oidc_error.denied'),
  expired: () => t('auth.oidc_error.expired'),
  'unverified-email': () => t('auth.oidc_error.unverified-email'),
  'no-email': () => t('auth.oidc_error.no-email'),
  unavailable: () => t('auth.oidc_error.unavailable'),
  failed: () => t('auth.oidc_error.failed')
}

/**
 * The reason the server gave (`?signin_error=`) for a provider sign-in that did not work, once:
 * the address bar loses it, so a reload does not show it again.
 */
function takeSigninError() {
  const params = new URLSearchParams(location.search)
  const code = params.get('signin_error')
  if (code === null) return ''
  params.delete('signin_error')
  const query = params.toString()
  history.replaceState(null, '', `${location.pathname}${query ? `?${query}` : ''}${location.hash}`)
  return Object.hasOwn(OIDC_ERRORS, code) ? OIDC_ERRORS[code]() : OIDC_ERRORS.failed()
}

/**
 * "Sign in with ..." buttons for the OpenID Connect providers the server offers (none: the
 * block stays hidden). Each is a link: the sign-in leaves the page for the provider's.
 */
function providerButtons() {
  const block = h('div', { class: 'oidc-providers', hidden: true })
  get('/v1/auth/oidc/providers').then(
    /** @param {{items: {id: string, name: string, login_url: string}[]}} body */
    ({ items }) => {
      if (!items.length) return
      block.replaceChildren(
        ...items.map((provider) =>
          h('a', {
            class: 'button oidc-provider',
            href: provider.login_url,
            'data-provider': provider.id,
            text: t('auth.sign_in_with', { name: provider.name })
          })
        ),
        h('p', { class: 'oidc-or', text: t('auth.or_password') })
      )
      block.hidden = false
    },
    () => {} // no providers to offer: password sign-in as always
  )
  return block
}

/** @param {{message?: string}} [opts] */
export function loginView(opts = {}) {
  const { form } = createForm({
    submit: t('auth.sign_in'),
    fields: [
      {
        name: 'email',
        label: t('auth.email'),
        type: 'email',
        required: true,
        autocomplete: 'username'
      },
      {
        name: 'password',
        label: t('auth.password'),
        type: 'password',
        required: true,
        autocomplete: 'current-password'
      }
    ],
    onSubmit: async ({ email, password }) => {
      await signIn(email, password)
      navigate({ name: 'projects' })
    }
  })
  const signinError = takeSigninError()
  return panel(
    t('auth.sign_in'),
    h('p', { class: 'pitch', text: t('auth.pitch') }),
    opts.message ? h('p', { class: 'notice', role: 'status', text: opts.message }) : null,
    signinError ? h('p', { class: 'form-error', role: 'alert', text: signinError }) : null,
    providerButtons(),
    form,
    h(
      'p',
      { class: 'links' },
      h('a', { href: '#/signup', text: t('auth.create_account_link') }),
      ' · ',
      h('a', { href: '#/forgot', text: t('auth.forgot_link') })
    )
  )
}

export function signupView() {
  const done = h('p', { class: 'notice', role: 'status', hidden: true })
  const { form } = createForm({
    submit: t('auth.create_account'),
    fields: [
      { name: 'name', label: t('auth.name'), required: true, maxLength: 200, autocomplete: 'name' },
      {
        name: 'email',
        label: t('auth.email'),
        type: 'email',
        required: true,
        autocomplete: 'email'
      },
      {
        name: 'password',
        label: t('auth.password_min', { n: MIN_PASSWORD }),
        type: 'password',
        required: true,
        minLength: MIN_PASSWORD,
        autocomplete: 'new-password'
      }
    ],
    onSubmit: async ({ name, email, password }) => {
      await signUp(name, email, password)
      // The same answer whether or not the address has an account: the e-mail tells which.
      done.textContent = t('auth.signup_sent', { email })
      done.hidden = false
    }
  })
  return panel(
    t('auth.signup_title'),
    form,
    done,
    h(
      'p',
      { class: 'links' },
      t('auth.have_account'),
      ' ',
      h('a', { href: '#/login', text: t('auth.sign_in') })
    )
  )
}

export function forgotView() {
  const done = h('p', { class: 'notice', role: 'status', hidden: true })
  const { form } = createForm({
    submit: t('auth.send_reset_link'),
    fields: [
      {
        name: 'email',
        label: t('auth.email'),
        type: 'email',
        required: true,
        autocomplete: 'email'
      }
    ],
    onSubmit: async ({ email }) => {
      await post('/v1/auth/forgot-password', { email })
      done.textContent = t('auth.reset_sent', { email })
      done.hidden = false
    }
  })
  return panel(
    t('auth.forgot_title'),
    h('p', { text: t('auth.forgot_intro') }),
    form,
    done,
    h('p', { class: 'links' }, h('a', { href: '#/login', text: t('auth.back_to_sign_in') }))
  )
}

/** @param {string} token from the link's #token= */
export function resetView(token) {
  if (!token) {
    return panel(
      t('auth.reset_title'),
      h('p', { role: 'alert', text: t('auth.reset_no_token') }),
      h('p', { class: 'links' }, h('a', { href: '/#/forgot', text: t('auth.ask_new_link') }))
    )
  }
  const { form } = createForm({
    submit: t('auth.set_new_password'),
    fields: [
      {
        name: 'password',
        label: t('auth.new_password', { n: MIN_PASSWORD }),
        type: 'password',
        required: true,
        minLength: MIN_PASSWORD,
        autocomplete: 'new-password'
      },
      {
        name: 'confirm',
        label: t('auth.repeat_password'),
        type: 'password',
        required: true,
        autocomplete: 'new-password'
      }
    ],
    onSubmit: async ({ password, confirm }) => {
      if (password !== confirm) throw new Error(t('auth.passwords_differ'))
      try {
        await post('/v1/auth/reset-password', { token, password })
      } catch (error) {
        if (error.status === 401) {
          throw new Error(t('auth.reset_link_used'), { cause: error })
        }
        throw error
      }
      setFlash(t('auth.password_changed'))
      navigate({ name: 'login' })
    }
  })
  return panel(t('auth.choose_new_password'), form)
}

/** @param {string} token from the link's #token= */
export function verifyView(token) {
  if (!token) {
    return panel(
      t('auth.verify_title'),
      h('p', { role: 'alert', text: t('auth.verify_no_token') }),
      h('p', { class: 'links' }, h('a', { href: '/#/signup', text: t('auth.sign_up') }))
    )
  }
  const { form } = createForm({
    submit: t('auth.verify_title'),
    fields: [],
    onSubmit: async () => {
      try {
        await verifyEmail(token)
      } catch (error) {
        if (error.status === 401) {
          throw new Error(t('auth.verify_link_used'), { cause: error })
        }
        if (error.status === 409) {
          throw new Error(t('auth.verify_taken'), { cause: error })
        }
        throw error
      }
      navigate({ name: 'projects' })
    }
  })
  return panel(
    t('auth.verify_title'),
    h('p', { text: t('auth.verify_intro') }),
    form,
    h('p', { class: 'links' }, h('a', { href: '/#/login', text: t('auth.sign_in') }))
  )
}

/**
 * The page an invite link opens: where it leads, then a name to join as a guest (or, signed
 * in, one button to join as oneself). Lands on the project's board.
 * @param {string} token from the link's #token=
 * @param {{name: string} | null} user who is signed in on this browser, if anyone
 */
export function joinView(token, user) {
  if (!token) {
    return panel(t('join.page_title'), h('p', { role: 'alert', text: t('join.no_token') }))
  }
  const intro = h('p', { role: 'status', text: t('join.loading') })
  const body = h('div', { class: 'join-body' })
  const page = panel(t('join.page_title'), intro, body)
  get(`/v1/invites/${encodeURIComponent(token)}`).then(
    (invite) => {
      const heading = page.querySelector('#auth-title')
      if (heading) heading.textContent = t('join.title', { project: invite.project_name })
      if (invite.status !== 'active') {
        intro.setAttribute('role', 'alert')
        const refusals = {
          revoked: t('join.status_revoked'),
          expired: t('join.status_expired'),
          used_up: t('join.status_used_up')
        }
        intro.textContent = refusals[invite.status] || t('join.unknown')
        return
      }
      intro.textContent = t(invite.role === 'viewer' ? 'join.as_viewer' : 'join.as_member')
      body.replaceChildren(joinForm(token, user))
    },
    (error) => {
      intro.setAttribute('role', 'alert')
      intro.textContent = error.status === 404 ? t('join.unknown') : error.message
    }
  )
  return page
}

/** @param {string} token @param {{name: string} | null} user */
function joinForm(token, user) {
  /** @param {string} [name] */
  const join = async (name) => {
    const joined = await joinInvite(token, name)
    navigate({ name: 'workspace', projectId: joined.project_id, phase: 'ideate' })
  }
  if (user) {
    const { form } = createForm({
      submit: t('join.as_account', { name: user.name }),
      fields: [],
      onSubmit: () => join()
    })
    return form
  }
  const { form } = createForm({
    submit: t('join.submit'),
    reset: false,
    fields: [
      {
        name: 'name',
        label: t('join.your_name'),
        required: true,
        autocomplete: 'nickname',
        maxLength: 200
      }
    ],
    onSubmit: ({ name }) => join(name)
  })
  return h(
    'div',
    {},
    form,
    h('p', { class: 'hint', text: t('join.guest_hint') }),
    h('p', { class: 'links' }, h('a', { href: '/#/login', text: t('join.have_account') }))
  )
}
