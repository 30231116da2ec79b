// Types of @dttools/client/webhooks: verifying what a DTTools server POSTs to a receiver.

/** A webhook event (docs/webhooks.md): the body of one delivery. */
export interface WebhookEvent {
  id: string
  type: string
  version: number
  project_id: string | null
  created_at: string
  data: Record<string, any>
  [member: string]: unknown
}

/**
 * Verify a webhook (Standard Webhooks: `v1,` HMAC-SHA256 signatures, a five-minute window)
 * and return its event; throws WebhookVerificationError otherwise.
 *
 * @param payload the raw body, exactly as received
 * @param headers the request's headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`)
 * @param secret the endpoint's `whsec_...` secret, or its raw bytes
 */
export function verifyWebhook(
  payload: string | ArrayBuffer | Uint8Array,
  headers: Headers | Record<string, string | string[] | undefined>,
  secret: string | Uint8Array,
  options?: { now?: number }
): Promise<WebhookEvent>
