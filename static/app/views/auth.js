// Sign in, sign up, forgotten password, and the pages of e-mailed links (reset, verify).
import { h } from '../dom.js'
import { createForm } from '../forms.js'
import { post } from '../api.js'
import { signIn, signUp, verifyEmail, setFlash } from '../session.js'
import { navigate } from '../router.js'

const MIN_PASSWORD = 10

/** A centred panel with a title and content. */
function panel(title, ...content) {
  return h(
    'main',
    { id: 'main', class: 'auth' },
    h(
      'section',
      { class: 'auth-panel', 'aria-labelledby': 'auth-title' },
      h('h1', { class: 'brand', text: 'DTTools' }),
      h('h2', { id: 'auth-title', text: title }),
      ...content
    )
  )
}

/** @param {{message?: string}} [opts] */
export function loginView(opts = {}) {
  const { form } = createForm({
    submit: 'Sign in',
    fields: [
      { name: 'email', label: 'E-mail', type: 'email', required: true, autocomplete: 'username' },
      {
        name: 'password',
        label: 'Password',
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
  return panel(
    'Sign in',
    opts.message ? h('p', { class: 'notice', role: 'status', text: opts.message }) : null,
    form,
    h(
      'p',
      { class: 'links' },
      h('a', { href: '#/signup', text: 'Create an account' }),
      ' · ',
      h('a', { href: '#/forgot', text: 'Forgot your password?' })
    )
  )
}

export function signupView() {
  const done = h('p', { class: 'notice', role: 'status', hidden: true })
  const { form } = createForm({
    submit: 'Create account',
    fields: [
      { name: 'name', label: 'Name', required: true, maxLength: 200, autocomplete: 'name' },
      { name: 'email', label: 'E-mail', type: 'email', required: true, autocomplete: 'email' },
      {
        name: 'password',
        label: 'Password (10 characters or more)',
        type: 'password',
        required: true,
        minLength: MIN_PASSWORD,
        autocomplete: 'new-password'
      }
    ],
    onSubmit: async ({ name, email, password }) => {
      await signUp(name, email, password)
      // The same answer whether or not the address has an account: the e-mail tells which.
      done.textContent = `Check your e-mail: we sent a message to ${email}. Open the link in it to finish.`
      done.hidden = false
    }
  })
  return panel(
    'Create an account',
    form,
    done,
    h(
      'p',
      { class: 'links' },
      'Already have an account? ',
      h('a', { href: '#/login', text: 'Sign in' })
    )
  )
}

export function forgotView() {
  const done = h('p', { class: 'notice', role: 'status', hidden: true })
  const { form } = createForm({
    submit: 'Send reset link',
    fields: [
      { name: 'email', label: 'E-mail', type: 'email', required: true, autocomplete: 'email' }
    ],
    onSubmit: async ({ email }) => {
      await post('/v1/auth/forgot-password', { email })
      done.textContent = `If an account exists for ${email}, we sent it a link to choose a new password.`
      done.hidden = false
    }
  })
  return panel(
    'Forgot your password?',
    h('p', {
      text: 'Enter your e-mail address and we will send you a link to set a new password.'
    }),
    form,
    done,
    h('p', { class: 'links' }, h('a', { href: '#/login', text: 'Back to sign in' }))
  )
}

/** @param {string} token from the link's #token= */
export function resetView(token) {
  if (!token) {
    return panel(
      'Reset your password',
      h('p', { role: 'alert', text: 'This link has no reset token. Ask for a new link.' }),
      h('p', { class: 'links' }, h('a', { href: '/#/forgot', text: 'Ask for a new link' }))
    )
  }
  const { form } = createForm({
    submit: 'Set new password',
    fields: [
      {
        name: 'password',
        label: 'New password (10 characters or more)',
        type: 'password',
        required: true,
        minLength: MIN_PASSWORD,
        autocomplete: 'new-password'
      },
      {
        name: 'confirm',
        label: 'Repeat the new password',
        type: 'password',
        required: true,
        autocomplete: 'new-password'
      }
    ],
    onSubmit: async ({ password, confirm }) => {
      if (password !== confirm) throw new Error('The two passwords differ')
      try {
        await post('/v1/auth/reset-password', { token, password })
      } catch (error) {
        if (error.status === 401) {
          throw new Error('This link has expired or was already used. Ask for a new one.', {
            cause: error
          })
        }
        throw error
      }
      setFlash('Your password was changed. Sign in with the new one.')
      navigate({ name: 'login' })
    }
  })
  return panel('Choose a new password', form)
}

/** @param {string} token from the link's #token= */
export function verifyView(token) {
  if (!token) {
    return panel(
      'Finish signing up',
      h('p', { role: 'alert', text: 'This link has no sign-up token. Sign up again.' }),
      h('p', { class: 'links' }, h('a', { href: '/#/signup', text: 'Sign up' }))
    )
  }
  const { form } = createForm({
    submit: 'Finish signing up',
    fields: [],
    onSubmit: async () => {
      try {
        await verifyEmail(token)
      } catch (error) {
        if (error.status === 401) {
          throw new Error('This link has expired or was already used. Sign up again.', {
            cause: error
          })
        }
        if (error.status === 409) {
          throw new Error('This address already has an account. Sign in instead.', { cause: error })
        }
        throw error
      }
      navigate({ name: 'projects' })
    }
  })
  return panel(
    'Finish signing up',
    h('p', { text: 'Your e-mail address is confirmed once you finish here.' }),
    form,
    h('p', { class: 'links' }, h('a', { href: '/#/login', text: 'Sign in' }))
  )
}
