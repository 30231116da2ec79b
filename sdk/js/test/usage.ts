// Type-checked (never run) by tests/sdk/test_js_client.py with `tsc --noEmit --strict`: what a
// TypeScript user writes, so the declarations in index.d.ts are exercised.
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'
import {
  DTTools,
  NotFound,
  ProblemError,
  ValidationError,
  type Export,
  type Idea,
  type LiveDocument,
  type Page,
  type Project
} from '@dttools/client'
import { verifyWebhook, type WebhookEvent } from '@dttools/client/webhooks'

export async function workshop(): Promise<void> {
  const client = await DTTools.signIn({
    baseUrl: 'http://127.0.0.1:8000',
    email: 'a@b.c',
    password: 'x'
  })
  const keyed = new DTTools({
    baseUrl: 'http://127.0.0.1:8000',
    apiKey: 'dtt_x',
    retry: { maxAttempts: 2 }
  })
  const project: Project = await keyed.projects.create('Clinic', { phase: 'ideate' })
  const page: Page<Project> = await client.projects.list({ limit: 2, archived: 'any' })
  const cursor: string | null = page.next_cursor
  for await (const each of client.projects.iter({ pageSize: 50, q: 'clinic' })) {
    const phase: 'empathize' | 'define' | 'ideate' | 'prototype' | 'test' = each.phase
    void phase
  }
  const idea = await client.ideas.create(project.id, { text: 'Kiosk', color: 'blue' })
  const moved = await client.ideas.update(idea.id, { x: 300 }, { ifMatch: idea.etag })
  const x: number = moved.x
  const persona = await client.personas.create(project.id, { name: 'Ana', goals: ['sleep'] })
  const goals: string[] = persona.goals
  await client.tests.addResult('t1', { outcome: 'success', rating: 5 })
  try {
    await client.ideas.get('missing')
  } catch (error) {
    if (error instanceof NotFound) console.log(error.status, error.slug)
    if (error instanceof ValidationError) console.log(error.errors.map((e) => e.field))
    if (error instanceof ProblemError) console.log(error.retryAfterMs)
  }

  const file = await client.files.upload(project.id, new Uint8Array([1]), 'a.png')
  const blob: Blob = await client.files.download(file.id)
  const job: Export = await client.exports.wait(await client.exports.start(project.id, 'pdf'), {
    onProgress: (each) => console.log(each.stage, each.progress)
  })
  const bytes: ArrayBuffer = await client.exports.download(job, { as: 'arrayBuffer' })
  const imported = await client.exports.importArchive(bytes)
  const hook = await client.webhooks.create('https://example.com/hook', ['*'], {
    projectId: project.id
  })
  const secret: string | null | undefined = hook.secret

  const live: LiveDocument = await client.live(project.id, { Y, WebsocketProvider })
  const doc: Y.Doc = live.doc
  const provider: WebsocketProvider = live.provider
  const ideas: Idea[] = live.ideas()
  const added: Idea = await live.addIdea({ text: 'Live note', x: 120, y: 80 })
  const maybe: Idea | null = live.item('ideas', added.id)
  await live.add('personas', { name: 'Bea', goals: [] })
  await live.waitFor(() => live.ideas().length > 1, { timeoutMs: 5000 })
  live.close()

  const event: WebhookEvent = await verifyWebhook('{}', new Headers(), 'whsec_AAAA')
  console.log(
    cursor,
    x,
    goals,
    blob.size,
    imported.project.id,
    secret,
    doc,
    provider,
    ideas,
    maybe,
    event.type
  )
}
