// Signing in with e-mail and password: the refresh token is used once on a 401.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DTTools, Unauthenticated } from '../index.js'
import { need } from './helpers.mjs'

const baseUrl = need('DTTOOLS_URL')
const email = need('DTTOOLS_EMAIL')
const password = need('DTTOOLS_PASSWORD')

test('a refused access token is refreshed once, transparently', async () => {
  const client = await DTTools.signIn({ baseUrl, email, password })
  assert.equal(client.user.email, email)
  const firstRefresh = client.refreshToken
  client.http.token = 'expired-or-forged'
  const me = await client.account.update({ name: 'Renamed by JS' })
  assert.equal(me.name, 'Renamed by JS')
  assert.notEqual(client.token, 'expired-or-forged')
  assert.notEqual(client.refreshToken, firstRefresh, 'refresh tokens work once: a new one is kept')
})

test('calls refused together share one refresh (a refresh token works once)', async () => {
  const client = await DTTools.signIn({ baseUrl, email, password })
  client.http.token = 'expired-or-forged'
  const answers = await Promise.all([
    client.account.me(),
    client.account.me(),
    client.projects.list()
  ])
  assert.equal(answers[0].email, email)
  assert.ok(Array.isArray(answers[2].items))
  assert.equal((await client.account.me()).email, email, 'the session is still alive')
})

test('after signOut nothing refreshes: Unauthenticated', async () => {
  const client = await DTTools.signIn({ baseUrl, email, password })
  await client.signOut()
  await assert.rejects(client.account.me(), Unauthenticated)
})

test('a wrong password is Unauthenticated', async () => {
  await assert.rejects(
    DTTools.signIn({ baseUrl, email, password: 'not the password!' }),
    (/** @type {any} */ error) => {
      assert.ok(error instanceof Unauthenticated)
      assert.equal(error.status, 401)
      return true
    }
  )
})

test('a token client has nothing to refresh with', async () => {
  const client = new DTTools({ baseUrl, token: 'forged' })
  await assert.rejects(client.account.me(), Unauthenticated)
})
